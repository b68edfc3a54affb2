using Exchange.Domain;
using Exchange.Domain.Certificates;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>Pending signing requests: approved only when the operator typed the request's public-key fingerprint (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class RequestsModel(ConsoleCalls calls, CertificateRegistry registry) : ConsolePageModel(calls)
{
    public IReadOnlyList<SigningRequestRecord> Pending { get; private set; } = [];

    [BindProperty]
    public string RequestId { get; set; } = "";

    [BindProperty]
    public string Fingerprint { get; set; } = "";

    [BindProperty]
    public int LifetimeDays { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostApproveAsync() =>
        ActAsync(
            async (call, ct) =>
            {
                var request = (await registry.ListRequestsAsync(call, null, SigningRequestStatus.Pending, ct).ConfigureAwait(false)).FirstOrDefault(r => r.Id == RequestId)
                    ?? throw new ExchangeException(FailureKind.NotFound, $"no pending request '{RequestId}'");
                if (!string.Equals(Normalised(Fingerprint), Normalised(request.PublicKeySha256), StringComparison.Ordinal))
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, "入力されたフィンガープリントが要求と一致しません / the fingerprint typed does not match the request's");
                }

                var issued = await registry.ApproveAsync(call, RequestId, LifetimeDays, ct).ConfigureAwait(false);
                return $"証明書を発行しました / Issued certificate {issued.Record.SerialNumber} to {issued.Record.PartyId}";
            },
            LoadAsync);

    public Task<IActionResult> OnPostRejectAsync() =>
        ActAsync(async (call, ct) => $"却下しました / Rejected {(await registry.RejectAsync(call, RequestId, Reason, ct).ConfigureAwait(false)).Id}", LoadAsync);

    /// <summary>The fingerprint in groups of four, easier to read aloud.</summary>
    public static string Grouped(string hex) => string.Join(' ', hex.ToUpperInvariant().Chunk(4).Select(c => new string(c)));

    private static string Normalised(string fingerprint) => new([.. fingerprint.Where(char.IsAsciiHexDigit).Select(char.ToUpperInvariant)]);

    private async Task LoadAsync() =>
        Pending = await registry.ListRequestsAsync(await CallAsync().ConfigureAwait(false), null, SigningRequestStatus.Pending, HttpContext.RequestAborted).ConfigureAwait(false);
}
