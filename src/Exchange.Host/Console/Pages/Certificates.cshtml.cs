using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>Certificates: operators see and revoke all; other staff see their own party's, those nearing expiry marked.</summary>
internal sealed class CertificatesModel(ConsoleCalls calls, CertificateRegistry registry, TimeProvider time) : ConsolePageModel(calls)
{
    public IReadOnlyList<CertificateRecord> Certificates { get; private set; } = [];

    public DateTimeOffset Horizon { get; private set; }

    public bool IsOperator { get; private set; }

    [BindProperty]
    public string SerialNumber { get; set; } = "";

    [BindProperty]
    public RevocationReason Reason { get; set; } = RevocationReason.Superseded;

    [BindProperty]
    public string? Note { get; set; }

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostRevokeAsync() =>
        ActAsync(async (call, ct) => $"失効させました / Revoked {(await registry.RevokeAsync(call, SerialNumber, Reason, Note, allowUnknown: false, ct).ConfigureAwait(false)).Revocation.SerialNumber}", LoadAsync);

    private async Task LoadAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        IsOperator = call.Caller.Role == PartyRole.Administrator;
        Horizon = time.GetUtcNow().AddDays(IndexModel.ExpiryWindowDays);
        Certificates = (await registry.ListCertificatesAsync(call, null, includeInactive: true, HttpContext.RequestAborted).ConfigureAwait(false))
            .OrderBy(c => c.PartyId, StringComparer.Ordinal).ThenBy(c => c.NotAfter).ToList();
    }
}
