using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Server;
using Exchange.Storage;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// SearchCustomers streams as it reads: pages of 32, 64, 128 and then 256 records, each page's
/// entries committed as a group before its records go out. A store whose page reads the test can
/// hold shows what has been read, recorded and sent at each point.
/// </summary>
public abstract class RecordsSearchStreamingTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const int Customers = 300;
    private const int FirstGroup = 32;
    private const int SecondGroup = 64;

    private readonly PageGate _gate = new();
    private readonly CommitGate _commits = new();

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(provider: provider, configure: builder =>
    {
        var registered = builder.Services.Single(d => d.ServiceType == typeof(ICustomerStore));
        builder.Services.Remove(registered);
        builder.Services.AddScoped<ICustomerStore>(sp => new GatedCustomerStore((ICustomerStore)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!), _gate));
        var recorder = builder.Services.Single(d => d.ServiceType == typeof(IProvisionRecorder));
        builder.Services.Remove(recorder);
        builder.Services.AddSingleton<IProvisionRecorder>(sp => new GatedRecorder((IProvisionRecorder)recorder.ImplementationFactory!(sp), _commits));
    });

    [Fact]
    public async Task First_record_goes_out_before_the_later_pages_are_read_and_only_its_groups_are_recorded()
    {
        var subjects = await WriteCustomersAsync();
        var before = (await Hub.ReadAllAsync()).Count;
        _gate.Hold(page: 3);

        using var call = Search();
        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));

        // The third page is held unread: the first group went out with the second committing behind it at most.
        var recorded = await SearchEntriesAsync(before);
        Assert.InRange(recorded.Count, FirstGroup, FirstGroup + SecondGroup);
        Assert.Contains(recorded, e => e.SubjectId == subjects[call.ResponseStream.Current.Record.CustomerRef]);

        _gate.Release();
        var received = 1 + (await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct)).Count;
        Assert.Equal(Customers, received);
        Assert.Equal(Customers, (await SearchEntriesAsync(before)).Count);
        Assert.Equal(4, _gate.PagesAsked);
    }

    [Fact]
    public async Task Each_group_of_records_waits_for_its_entries_to_be_committed()
    {
        var subjects = await WriteCustomersAsync();
        var before = (await Hub.ReadAllAsync()).Count;
        _commits.Hold(1, 2);

        using var call = Search();
        var received = new List<string>();
        Assert.True(await NextOnceCommittedAsync(call.ResponseStream, group: 1));
        received.Add(call.ResponseStream.Current.Record.CustomerRef);
        while (received.Count < FirstGroup && await call.ResponseStream.MoveNext(Ct))
        {
            received.Add(call.ResponseStream.Current.Record.CustomerRef);
        }

        Assert.True(await NextOnceCommittedAsync(call.ResponseStream, group: 2));
        received.Add(call.ResponseStream.Current.Record.CustomerRef);
        received.AddRange((await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct)).Select(r => r.Record.CustomerRef));

        Assert.Equal(Customers, received.Count);
        var provided = (await SearchEntriesAsync(before)).Where(e => e.Outcome == ProvisionOutcome.Provided).Select(e => e.SubjectId).ToHashSet();
        Assert.All(received, customerRef => Assert.Contains(subjects[customerRef], provided));
    }

    [Fact]
    public async Task A_search_cancelled_mid_stream_ends_with_entries_for_what_went_out_and_at_most_the_group_behind_it()
    {
        var subjects = await WriteCustomersAsync();
        var before = (await Hub.ReadAllAsync()).Count;
        _gate.Hold(page: 3);

        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var call = Search(cancel.Token);
            Assert.True(await call.ResponseStream.MoveNext(cancel.Token).WaitAsync(TimeSpan.FromSeconds(30), Ct));
            var first = subjects[call.ResponseStream.Current.Record.CustomerRef];
            await cancel.CancelAsync();
            await CallsEndedAsync();
            Assert.Contains(await SearchEntriesAsync(before), e => e.SubjectId == first);
        }

        // The call settles its last group before it ends; the hub then holds no more of it, and answers the next search whole.
        var settled = await SettledEntriesAsync(before);
        Assert.InRange(settled.Count, FirstGroup, FirstGroup + SecondGroup);
        Assert.All(settled, e => Assert.Equal(ProvisionOutcome.Provided, e.Outcome));
        _gate.Hold(page: 0);
        using var again = Search();
        Assert.Equal(Customers, (await again.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct)).Count);
    }

    // The cancelled search may stop at its held page read or earlier, at its second group's commit: wait for its handler to end either way.
    private async Task CallsEndedAsync()
    {
        var calls = Hub.Services.GetRequiredService<CallConcurrencyLimit>();
        for (var waited = 0; calls.InFlight > 0 && waited < 30_000; waited += 10)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal(0, calls.InFlight);
    }

    // The next record does not come while its group's commit is held, and comes once it is released.
    private async Task<bool> NextOnceCommittedAsync(IAsyncStreamReader<SearchCustomersResponse> stream, int group)
    {
        var next = stream.MoveNext(Ct);
        await Task.Delay(300, Ct);
        Assert.False(next.IsCompleted);
        _commits.Release(group);
        return await next.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    private AsyncServerStreamingCall<SearchCustomersResponse> Search(CancellationToken? cancellationToken = null) =>
        new Records.RecordsClient(Channel(Lotus)).SearchCustomers(new SearchCustomersRequest { Purpose = "marketing", Items = { "contact" } }, cancellationToken: cancellationToken ?? Ct);

    // The garage's customers, each reference with the person's subject ID.
    private async Task<Dictionary<string, string>> WriteCustomersAsync()
    {
        var request = new PutCustomersRequest { Purpose = "after-sales" };
        request.Records.AddRange(Enumerable.Range(0, Customers).Select(i => Sample.Customer($"S{i:D4}")));
        var reply = await new Records.RecordsClient(Channel(Garage)).PutCustomersAsync(request, cancellationToken: Ct);
        return reply.Results.ToDictionary(r => r.CustomerRef, r => r.SubjectId, StringComparer.Ordinal);
    }

    private async Task<List<ProvisionFact>> SearchEntriesAsync(int before) =>
        (await Hub.ReadAllAsync()).Skip(before).Select(e => e.Fact).ToList();

    private async Task<List<ProvisionFact>> SettledEntriesAsync(int before)
    {
        var entries = await SearchEntriesAsync(before);
        for (var unchanged = 0; unchanged < 5; unchanged++)
        {
            await Task.Delay(100, Ct);
            var now = await SearchEntriesAsync(before);
            unchanged = now.Count == entries.Count ? unchanged : 0;
            entries = now;
        }

        return entries;
    }

    /// <summary>Holds one page read (counted from 1) until released, or until its call is cancelled.</summary>
    private sealed class PageGate
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;
        private int _asked;

        public int PagesAsked => Volatile.Read(ref _asked);

        public void Hold(int page)
        {
            Volatile.Write(ref _asked, 0);
            Volatile.Write(ref _held, page);
        }

        public void Release() => _released.TrySetResult();

        public async Task EnterAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _asked) != Volatile.Read(ref _held))
            {
                return;
            }

            await _released.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Holds the chosen groups of entries (counted from 1 after <see cref="Hold"/>) from the log's writer until released.</summary>
    private sealed class CommitGate
    {
        private readonly Dictionary<int, TaskCompletionSource> _held = [];
        private int _recorded;

        public void Hold(params int[] groups)
        {
            Volatile.Write(ref _recorded, 0);
            foreach (var group in groups)
            {
                _held[group] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Release(int group) => _held[group].TrySetResult();

        public Task EnterAsync() =>
            _held.GetValueOrDefault(Interlocked.Increment(ref _recorded))?.Task ?? Task.CompletedTask;
    }

    private sealed class GatedRecorder(IProvisionRecorder inner, CommitGate gate) : IProvisionRecorder
    {
        public async Task RecordAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
        {
            await gate.EnterAsync();
            await inner.RecordAsync(facts, cancellationToken);
        }
    }

    private sealed class GatedCustomerStore(ICustomerStore inner, PageGate gate) : ICustomerStore
    {
        public async Task<IReadOnlyList<FoundCustomer>> SearchPageAsync(CustomerFilter filter, SearchPosition? after, int count, string? optedOutOf, CancellationToken cancellationToken)
        {
            await gate.EnterAsync(cancellationToken);
            return await inner.SearchPageAsync(filter, after, count, optedOutOf, cancellationToken);
        }

        public Task<EncodedCustomer?> FindAsync(string ownerParty, string customerRef, CancellationToken cancellationToken) => inner.FindAsync(ownerParty, customerRef, cancellationToken);

        public Task<CustomerLookup> FindForPurposeAsync(string ownerParty, string customerRef, string purpose, CancellationToken cancellationToken) => inner.FindForPurposeAsync(ownerParty, customerRef, purpose, cancellationToken);

        public Task<IReadOnlyList<UpsertOutcome>> UpsertAsync(IReadOnlyList<StoredCustomer> customers, CancellationToken cancellationToken) => inner.UpsertAsync(customers, cancellationToken);

        public Task<bool> DeleteAsync(string ownerParty, string customerRef, CancellationToken cancellationToken) => inner.DeleteAsync(ownerParty, customerRef, cancellationToken);

        public IAsyncEnumerable<EncodedCustomer> ScanAsync(string? ownerParty, string? excludeOptedOutOf, CancellationToken cancellationToken) => inner.ScanAsync(ownerParty, excludeOptedOutOf, cancellationToken);

        public Task<IReadOnlySet<string>> OptedOutAsync(string purpose, IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken) => inner.OptedOutAsync(purpose, subjectIds, cancellationToken);

        public Task<IReadOnlyList<PersonOptOut>> OptOutsOfAsync(string subjectId, CancellationToken cancellationToken) => inner.OptOutsOfAsync(subjectId, cancellationToken);

        public Task SetOptOutAsync(string subjectId, string purpose, bool optedOut, DateTimeOffset at, CancellationToken cancellationToken) => inner.SetOptOutAsync(subjectId, purpose, optedOut, at, cancellationToken);
    }
}

/// <summary>Streamed searches on SQLite.</summary>
public sealed class RecordsSearchStreamingOnSqliteTests() : RecordsSearchStreamingTests(DatabaseProvider.Sqlite);

/// <summary>Streamed searches on PostgreSQL.</summary>
public sealed class RecordsSearchStreamingOnPostgresTests() : RecordsSearchStreamingTests(DatabaseProvider.Postgres);
