using System.Diagnostics;
using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Protocol.Server;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Bench;

/// <summary>
/// The change feed: events delivered to many subscribers while a garage corrects records they
/// received (each delivery of a corrected record decided and recorded in the provision log before
/// it goes out), and the memory a hub spends holding idle subscriptions.
/// </summary>
internal static class FeedScenarios
{
    /// <summary>Subscriptions the delivery scenario feeds.</summary>
    public const int Subscribers = 100;

    /// <summary>Idle subscriptions the memory scenario opens.</summary>
    public const int IdleSubscriptions = 1_000;

    private const string Vendor = "vendor-broadleaf";
    private const int Records = 1_000;
    private const int CorrectionBatch = 100;

    // How far the corrections may run ahead of the slowest subscriber: the rate measured is the
    // rate delivered, not a backlog growing behind it.
    private const int MaxLag = 5_000;

    /// <summary>
    /// The group body has read <see cref="Records"/> of the garage's customers for marketing; then
    /// <see cref="Subscribers"/> subscriptions of the group body follow its feed while the garage
    /// corrects those customers in batches, flat out within <see cref="MaxLag"/>. Counted: events
    /// received by the subscriptions (each event once per subscription).
    /// </summary>
    public static async Task<ScenarioResult> DeliveryAsync(BenchHub hub, BenchOptions options)
    {
        var garage = new Records.RecordsClient(hub.CreateChannel());
        var lotus = Enumerable.Range(0, 4).Select(_ => hub.CreateChannel(BenchHub.GroupBody)).ToArray();
        var refs = Enumerable.Range(0, Records).Select(i => FormattableString.Invariant($"FEED-{i:D5}")).ToArray();
        await CorrectAsync(garage, refs, 0, CancellationToken.None).ConfigureAwait(false);
        var reader = new Records.RecordsClient(lotus[0]);
        foreach (var customerRef in refs)
        {
            await reader.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, CustomerRef = customerRef, Items = { "contact" } }).ConfigureAwait(false);
        }

        var received = new long[Subscribers + 1];
        long produced = 0;
        using var stopSubscribers = new CancellationTokenSource();
        using var log = new ProvisionLogProbe();
        var result = await Measurement.RunAsync($"change feed: corrections delivered to {Subscribers} subscriptions", "send", Subscribers + 1, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            log.Run ??= run;
            if (worker == 0)
            {
                for (var round = 1; !run.IsStopping; round++)
                {
                    while (produced - received.Skip(1).Min() > MaxLag && !run.IsStopping)
                    {
                        await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
                    }

                    var batch = Enumerable.Range(0, CorrectionBatch).Select(i => refs[((round * CorrectionBatch) + i) % Records]).ToArray();
                    await CorrectAsync(garage, batch, round, run.Abort).ConfigureAwait(false);
                    Interlocked.Add(ref produced, batch.Length);
                }

                await stopSubscribers.CancelAsync().ConfigureAwait(false);
                return;
            }

            await FollowAsync(new Feed.FeedClient(lotus[worker % lotus.Length]), worker, received, run, stopSubscribers.Token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return result with
        {
            Detail = FormattableString.Invariant($"    {result.PerSecond / Subscribers:N0} events/s, each to {Subscribers} subscriptions; each delivery of a corrected record is a provision-log entry\n") + log.Describe(result.Elapsed),
        };
    }

    /// <summary>
    /// Opens <see cref="IdleSubscriptions"/> subscriptions from the latest event, spread over the
    /// development parties (each under its share of calls), and measures the process before and
    /// after, both times after a full collection. The client's side of the calls is in the same
    /// process, so the figures are an upper bound on the hub's own.
    /// </summary>
    public static async Task<IdleSubscriptionsRun> IdleAsync(BenchHub hub)
    {
        var limit = hub.Services.GetRequiredService<CallConcurrencyLimit>();
        var sqlite = hub.Database.Provider == BenchProvider.Sqlite;
        var channels = new[] { BenchHub.Garage, BenchHub.GroupBody, Vendor, BenchHub.Administrator }.Select(p => hub.CreateChannel(p)).ToArray();
        // Connect each channel before the first measurement: TLS and HTTP/2 set-up are not the subscriptions'.
        foreach (var channel in channels)
        {
            await new Diagnostics.DiagnosticsClient(channel).PingAsync(new PingRequest()).ConfigureAwait(false);
        }

        var clients = channels.Select(c => new Feed.FeedClient(c)).ToArray();
        using var close = new CancellationTokenSource();
        var calls = new List<AsyncServerStreamingCall<FeedEvent>>(IdleSubscriptions);
        try
        {
            // Calls of the scenario before may still be ending: the count starts from a quiet hub.
            for (var waited = 0; limit.InFlight > 0 && waited < 3000; waited += 10)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }

            var before = Collected(sqlite);
            var inFlight = limit.InFlight;
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < IdleSubscriptions; i++)
            {
                calls.Add(clients[i % clients.Length].Subscribe(new SubscribeRequest { FromLatest = true }, cancellationToken: close.Token));
            }

            while (limit.InFlight < inFlight + IdleSubscriptions)
            {
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"Only {limit.InFlight - inFlight} of {IdleSubscriptions} subscriptions reached the hub within a minute.");
                }

                await Task.Delay(10).ConfigureAwait(false);
            }

            var opened = Stopwatch.GetElapsedTime(started);
            // Past the call limit, each handler still reads its starting position before it waits.
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return new IdleSubscriptionsRun(IdleSubscriptions, opened, before, Collected(sqlite));
        }
        finally
        {
            await close.CancelAsync().ConfigureAwait(false);
            foreach (var call in calls)
            {
                call.Dispose();
            }
        }
    }

    private static MemorySnapshot Collected(bool sqlite)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return MemorySnapshot.Take(sqlite);
    }

    // Each correction changes the phone number, so the hub stores it as a correction, not a re-send.
    private static async Task CorrectAsync(Records.RecordsClient garage, string[] refs, int round, CancellationToken cancellationToken)
    {
        var request = new PutCustomersRequest { Purpose = "after-sales" };
        foreach (var customerRef in refs)
        {
            var record = RecordScenarios.Customer(customerRef);
            record.Contact.Phone = string.Create(CultureInfo.InvariantCulture, $"023-{round % 1000:D3}-{round / 1000 % 10000:D4}");
            request.Records.Add(record);
        }

        for (var offset = 0; offset < request.Records.Count; offset += 500)
        {
            var part = new PutCustomersRequest { Purpose = request.Purpose };
            part.Records.AddRange(request.Records.Skip(offset).Take(500));
            await garage.PutCustomersAsync(part, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    // Reads one subscription from its start, checking that every event is a corrected record sent whole, in order.
    private static async Task FollowAsync(Feed.FeedClient client, int worker, long[] received, Measurement run, CancellationToken stop)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop, run.Abort);
        using var call = client.Subscribe(new SubscribeRequest { FromEarliest = true }, cancellationToken: cancel.Token);
        long last = 0;
        try
        {
            while (await call.ResponseStream.MoveNext(cancel.Token).ConfigureAwait(false))
            {
                var e = call.ResponseStream.Current;
                if (e.Sequence <= last || e.RecordCorrected?.Record is null)
                {
                    throw new InvalidOperationException($"Subscription {worker} got event {e.Sequence} after {last}: {e}");
                }

                last = e.Sequence;
                Interlocked.Increment(ref received[worker]);
                run.Add(worker);
            }
        }
        catch (Exception e) when (cancel.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
        }
    }
}

/// <summary>What holding idle subscriptions cost: the process before and after they were opened.</summary>
internal sealed record IdleSubscriptionsRun(int Subscriptions, TimeSpan Opened, MemorySnapshot Before, MemorySnapshot After)
{
    public double WorkingSetPerSubscriptionKib => (After.WorkingSet - Before.WorkingSet) / 1024.0 / Subscriptions;

    public double GcHeapPerSubscriptionKib => (After.GcHeap - Before.GcHeap) / 1024.0 / Subscriptions;
}
