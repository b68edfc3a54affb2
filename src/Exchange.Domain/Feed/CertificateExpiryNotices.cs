using Exchange.Domain.Certificates;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Feed;

/// <summary>
/// Stores a <see cref="Contracts.V1.CertificateExpiring"/> event for each active party certificate
/// that has passed a warning threshold (<see cref="Thresholds"/> days before expiry). Run by every
/// hub instance now and then; each event is keyed, so it is stored once however many notice it.
/// </summary>
public sealed class CertificateExpiryNotices(ICertificateStore certificates, IFeedStore feed, IUnitOfWork unitOfWork, TimeProvider time)
{
    /// <summary>Days before expiry that warn, the latest first.</summary>
    public static IReadOnlyList<int> Thresholds { get; } = [14, 30];

    /// <summary>Checks every certificate now; returns how many passed a threshold (stored now or earlier).</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entries = new List<FeedEntry>();
        foreach (var (certificate, threshold) in await ExpiringAsync(now, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(FeedEntries.CertificateExpiring(certificate.PartyId, certificate.SerialNumber, certificate.NotAfter, threshold, (int)(certificate.NotAfter - now).TotalDays, now));
        }

        if (entries.Count > 0)
        {
            await unitOfWork.RunAsync(
                async ct =>
                {
                    await feed.AppendAsync(entries, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        return entries.Count;
    }

    /// <summary>How many certificates in use expire within each of <see cref="Thresholds"/> days now (a certificate within 14 days counts for 30 too).</summary>
    public async Task<IReadOnlyDictionary<int, int>> CountAsync(CancellationToken cancellationToken)
    {
        var expiring = await ExpiringAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return Thresholds.ToDictionary(t => t, t => expiring.Count(e => e.Threshold <= t));
    }

    // Certificates in use (not revoked, expired or renewed) past a threshold, each with the latest one it passed.
    private async Task<List<(CertificateRecord Certificate, int Threshold)>> ExpiringAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await certificates.ListCertificatesAsync(null, cancellationToken).ConfigureAwait(false);
        var renewed = all.Where(c => c.RenewedFrom is not null).Select(c => c.RenewedFrom!).ToHashSet(StringComparer.Ordinal);
        var expiring = new List<(CertificateRecord, int)>();
        foreach (var certificate in all.Where(c => c.Revocation is null && c.NotAfter > now && !renewed.Contains(c.SerialNumber)))
        {
            var left = certificate.NotAfter - now;
            // Only the latest threshold passed: a certificate first seen 10 days out warns once, not twice.
            if (Thresholds.FirstOrDefault(t => left <= TimeSpan.FromDays(t)) is var threshold and > 0)
            {
                expiring.Add((certificate, threshold));
            }
        }

        return expiring;
    }
}
