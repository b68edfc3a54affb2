using Exchange.Domain.Provisions;
using Microsoft.AspNetCore.Authorization;

namespace Exchange.Host.Console.Pages;

/// <summary>Walks and verifies the provision log's chain and checkpoints on request (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class ProvisionLogModel(ConsoleCalls calls, ProvisionLogAudit audit) : ConsolePageModel(calls)
{
    public ChainVerification? Result { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostVerifyAsync() => Result = await audit.VerifyAsync(HttpContext.RequestAborted).ConfigureAwait(false);
}
