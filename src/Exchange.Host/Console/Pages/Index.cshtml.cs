using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;

namespace Exchange.Host.Console.Pages;

/// <summary>The person's party and the certificates nearing expiry that they can see (operators: all; others: their party's).</summary>
internal sealed class IndexModel(ConsoleCalls calls, CertificateRegistry certificates, TimeProvider time) : ConsolePageModel(calls)
{
    public const int ExpiryWindowDays = 30;

    public Party Party { get; private set; } = null!;

    public IReadOnlyList<CertificateRecord> Expiring { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        Party = call.Caller;
        var horizon = time.GetUtcNow().AddDays(ExpiryWindowDays);
        Expiring = (await certificates.ListCertificatesAsync(call, null, includeInactive: false, HttpContext.RequestAborted).ConfigureAwait(false))
            .Where(c => c.NotAfter <= horizon).OrderBy(c => c.NotAfter).ToList();
    }
}
