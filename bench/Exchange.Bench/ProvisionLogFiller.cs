using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Bench;

/// <summary>
/// Fills a hub's provision log to a size through the store's batch path (<see cref="IProvisionLogStore.AppendAsync"/>,
/// which the writer's group commit uses too: chain hashes, subject index and Merkle subtrees as in
/// production), a transaction per <see cref="Batch"/> entries. Entry i is a provision of customer
/// <c>LOG-nnnnnnn</c> (i modulo <c>persons</c>) of <see cref="BenchHub.Garage"/> to <see cref="BenchHub.GroupBody"/>,
/// under that customer's real pseudonymous subject ID: a person's report for such a customer finds
/// its entries among all the others.
/// </summary>
internal static class ProvisionLogFiller
{
    /// <summary>Entries per transaction.</summary>
    public const int Batch = 10_000;

    /// <summary>The customer reference whose person entry <paramref name="index"/> (from 0) is about.</summary>
    public static string CustomerRefOf(long index, long persons) => FormattableString.Invariant($"LOG-{index % persons:D7}");

    /// <summary>
    /// Appends entries until the log holds <paramref name="entries"/> (none when it holds that many
    /// already), about <paramref name="persons"/> customers; reports progress every million. Returns the seconds taken.
    /// </summary>
    public static async Task<double> FillAsync(IServiceProvider services, long entries, long persons)
    {
        var started = Stopwatch.GetTimestamp();
        var pseudonyms = services.GetRequiredService<SubjectPseudonyms>();
        var time = services.GetRequiredService<TimeProvider>();
        long head;
        await using (var scope = services.CreateAsyncScope())
        {
            head = (await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().HeadAsync(CancellationToken.None).ConfigureAwait(false))?.Sequence ?? 0;
        }

        for (var next = head; next < entries; next += Batch)
        {
            var now = time.GetUtcNow();
            var facts = new List<ProvisionFact>(Batch);
            for (var i = next; i < Math.Min(entries, next + Batch); i++)
            {
                facts.Add(new ProvisionFact(
                    now, BenchHub.Garage, BenchHub.GroupBody, null, pseudonyms.SubjectOf(BenchHub.Garage, CustomerRefOf(i, persons)), ["contact.name", "vehicle.model"],
                    "after-sales", 1, new string('0', 64), FormattableString.Invariant($"call_{i:x32}"), ProvisionOutcome.Provided, null));
            }

            await using var scope = services.CreateAsyncScope();
            var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(facts, ct), CancellationToken.None).ConfigureAwait(false);
            if ((next + Batch) % 1_000_000 == 0)
            {
                Report.Line($"    provision log filled to {next + Batch:N0} entries in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
