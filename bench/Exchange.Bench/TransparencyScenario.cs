using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Bench;

/// <summary>What the transparency-log scenario measured besides its two proof scenarios.</summary>
/// <param name="Entries">Entries in the log.</param>
/// <param name="FillSeconds">Time to fill it through the store (not measured against anything).</param>
/// <param name="Checkpoint">Signing a checkpoint after a few new entries (root over the whole log, Ed25519, stored), milliseconds.</param>
/// <param name="Cosignature">A witness's AddCosignature call (the hub checks the witness key's signature and stores it), milliseconds.</param>
/// <param name="WitnessRound">A whole witness round: fetch the checkpoint, ask and check the consistency proof, cosign, submit, milliseconds.</param>
internal sealed record TransparencyRun(long Entries, double FillSeconds, LatencyHistogram Checkpoint, LatencyHistogram Cosignature, LatencyHistogram WitnessRound);

/// <summary>
/// The provision log as a transparency log at <see cref="BenchOptions.LogEntries"/> entries, filled by
/// <see cref="ProvisionLogFiller"/>: inclusion and consistency proofs served per second to
/// <c>--concurrency</c> callers, then <see cref="Rounds"/> rounds of a few new entries, a checkpoint
/// signed, and a witness round as <c>exchange witness</c> makes it, each timed.
/// </summary>
internal static class TransparencyScenario
{
    /// <summary>Checkpoint-and-cosign rounds timed.</summary>
    public const int Rounds = 50;

    private const int EntriesPerRound = 100;

    public static async Task<(TransparencyRun Run, ScenarioResult Inclusion, ScenarioResult Consistency)> RunAsync(BenchHub hub, BenchOptions options)
    {
        var fill = await ProvisionLogFiller.FillAsync(hub.Services, options.LogEntries, Math.Max(1, options.LogEntries / 10)).ConfigureAwait(false);
        Report.Line($"  transparency log: {options.LogEntries:N0} entries appended through the store in {fill:N0} s ({options.LogEntries / fill:N0}/s)");
        var size = (await SignAsync(hub).ConfigureAwait(false)).Size;

        var clients = Enumerable.Range(0, options.Connections).Select(_ => new ProvisionLog.ProvisionLogClient(hub.CreateChannel(BenchHub.GroupBody))).ToArray();
        var inclusion = await ProofsAsync("inclusion proofs", clients, options, (client, random) =>
            client.ProveInclusionAsync(new ProveInclusionRequest { Sequence = random.NextInt64(1, size + 1), TreeSize = size }).ResponseAsync).ConfigureAwait(false);
        var consistency = await ProofsAsync("consistency proofs", clients, options, (client, random) =>
            client.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = random.NextInt64(1, size + 1), SecondSize = size }).ResponseAsync).ConfigureAwait(false);

        var checkpoint = new LatencyHistogram();
        var cosignature = new LatencyHistogram();
        var round = new LatencyHistogram();
        var witness = clients[0];
        var seen = (Size: 0L, Root: Array.Empty<byte>());
        for (var i = 0; i < Rounds; i++)
        {
            await ProvisionLogFiller.FillAsync(hub.Services, size + ((i + 1) * EntriesPerRound), Math.Max(1, options.LogEntries / 10)).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            await SignAsync(hub).ConfigureAwait(false);
            checkpoint.Record(started);

            started = Stopwatch.GetTimestamp();
            var served = await witness.GetTreeCheckpointAsync(new GetTreeCheckpointRequest()).ConfigureAwait(false);
            var body = NoteKey.Open(served.Note, served.VerifierKey) ?? throw new InvalidOperationException("The hub's checkpoint does not open with its key.");
            var root = served.RootHash.ToByteArray();
            if (seen.Size > 0)
            {
                var proof = await witness.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = seen.Size, SecondSize = served.TreeSize }).ConfigureAwait(false);
                if (!MerkleTree.VerifyConsistency(seen.Size, seen.Root, served.TreeSize, root, proof.Hashes.Select(h => h.ToByteArray()).ToList()))
                {
                    throw new InvalidOperationException($"The tree of size {served.TreeSize} is not consistent with that of size {seen.Size}.");
                }
            }

            seen = (served.TreeSize, root);
            var submitted = Stopwatch.GetTimestamp();
            var cosigned = await witness.AddCosignatureAsync(new AddCosignatureRequest { TreeSize = served.TreeSize, Cosignature = hub.Witness.Cosign(body, DateTimeOffset.UtcNow) }).ConfigureAwait(false);
            cosignature.Record(submitted);
            round.Record(started);
            if (!cosigned.QuorumMet)
            {
                throw new InvalidOperationException("The bench witness's cosignature did not count.");
            }
        }

        return (new TransparencyRun(size, fill, checkpoint, cosignature, round), inclusion, consistency);
    }

    private static async Task<Domain.Provisions.TreeCheckpoint> SignAsync(BenchHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProvisionTree>().CheckpointAsync(CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The provision log is empty.");
    }

    private static Task<ScenarioResult> ProofsAsync<T>(string name, ProvisionLog.ProvisionLogClient[] clients, BenchOptions options, Func<ProvisionLog.ProvisionLogClient, Random, Task<T>> prove)
    {
        var latencies = new LatencyHistogram();
        return Measurement.RunAsync(FormattableString.Invariant($"{name} at {options.LogEntries:N0} entries"), "proof", options.Concurrency, options.NextWarmup, options.Window, async (worker, run) =>
        {
            var client = clients[worker % clients.Length];
            var random = new Random(worker);
            while (!run.IsStopping)
            {
                var started = Stopwatch.GetTimestamp();
                await prove(client, random).ConfigureAwait(false);
                if (run.IsMeasuring)
                {
                    latencies.Record(started);
                }

                run.Add(worker);
            }
        }, latencies);
    }
}
