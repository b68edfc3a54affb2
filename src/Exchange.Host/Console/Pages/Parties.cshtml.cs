using Exchange.Domain.Parties;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>Registers, suspends and reactivates parties (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class PartiesModel(ConsoleCalls calls, PartnerRegistry registry, Calls.RegisteredParties registered) : ConsolePageModel(calls)
{
    public IReadOnlyList<PartyDetails> Parties { get; private set; } = [];

    [BindProperty]
    public string PartyId { get; set; } = "";

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string Role { get; set; } = "";

    [BindProperty]
    public string NameJa { get; set; } = "";

    [BindProperty]
    public string NameEn { get; set; } = "";

    [BindProperty]
    public string? Contact { get; set; }

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostAddAsync() =>
        ActAsync(
            async (call, ct) =>
            {
                var added = await registry.AddAsync(call, new NewParty(PartyId, Role, NameJa, NameEn, Contact), ct).ConfigureAwait(false);
                // As over gRPC: a new administrator may use the reserve of calls from its first call.
                registered.Remember(added.Party);
                return $"登録しました / Registered {added.Party.Id}";
            },
            LoadAsync);

    public Task<IActionResult> OnPostSuspendAsync() =>
        ActAsync(async (call, ct) => $"停止しました / Suspended {(await registry.SuspendAsync(call, PartyId, Reason, ct).ConfigureAwait(false)).Party.Id}", LoadAsync);

    public Task<IActionResult> OnPostReactivateAsync() =>
        ActAsync(async (call, ct) => $"再開しました / Reactivated {(await registry.ReactivateAsync(call, PartyId, Reason, ct).ConfigureAwait(false)).Party.Id}", LoadAsync);

    private async Task LoadAsync() =>
        Parties = await registry.ListAsync(await CallAsync().ConfigureAwait(false), null, null, HttpContext.RequestAborted).ConfigureAwait(false);
}
