using Exchange.Domain;
using Exchange.Domain.Provisions;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>A customer's provision records: the owning garage's staff, or operators (the log checks which).</summary>
internal sealed class ProvisionsModel(ConsoleCalls calls, ProvisionLogAudit audit) : ConsolePageModel(calls)
{
    [BindProperty(SupportsGet = true, Name = "owner")]
    public string? Owner { get; set; }

    [BindProperty(SupportsGet = true, Name = "customer")]
    public string? Customer { get; set; }

    public IReadOnlyList<ChainedProvision>? Entries { get; private set; }

    public async Task OnGetAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        Owner ??= call.Caller.Id;
        if (string.IsNullOrWhiteSpace(Customer))
        {
            return;
        }

        try
        {
            Entries = await audit.ListForCustomerAsync(call, Owner, Customer, HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (ExchangeException refused)
        {
            ViewData["Error"] = "操作は拒否されました / Refused: " + refused.Message;
        }
    }
}
