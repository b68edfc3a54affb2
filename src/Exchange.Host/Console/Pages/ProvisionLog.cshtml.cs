using Exchange.Domain;
using Exchange.Domain.Provisions;
using Microsoft.AspNetCore.Authorization;

namespace Exchange.Host.Console.Pages;

/// <summary>The provision log's latest signed checkpoint with its witnesses' cosignatures, and a walk that verifies the chain on request (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class ProvisionLogModel(ConsoleCalls calls, ProvisionLogAudit audit, ProvisionTree tree) : ConsolePageModel(calls)
{
    public ChainVerification? Result { get; private set; }

    /// <summary>The latest checkpoint, cosigned as far as witnesses have; null before the first.</summary>
    public CosignedCheckpoint? Checkpoint { get; private set; }

    public Task OnGetAsync() => LoadCheckpointAsync();

    public async Task OnPostVerifyAsync()
    {
        Result = await audit.VerifyAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        await LoadCheckpointAsync().ConfigureAwait(false);
    }

    private async Task LoadCheckpointAsync()
    {
        try
        {
            Checkpoint = await tree.CosignedAsync(0, HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (ExchangeException e) when (e.Kind == FailureKind.FailedPrecondition)
        {
            Checkpoint = null;
        }
    }
}
