using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Exchange.Storage.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Two hub instances on one PostgreSQL database, as behind a load balancer: sharing the keys and the
/// certificates, each serving reads, refusals and batch writes at once, they keep one chain.
/// </summary>
public sealed class SeveralHubsOnPostgresTests
{
    private const int ReadsPerHub = 100;
    private const int RefusalsPerHub = 10;
    private const int BatchPerHub = 25;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_hubs_serving_reads_refusals_and_batch_writes_at_once_append_to_one_chain_that_verifies_intact_and_complete()
    {
        var limits = new Dictionary<string, string?> { ["Exchange:MaxConcurrentCallsPerParty"] = "512" };
        await using var first = await TestHub.StartAsync(settings: limits, provider: DatabaseProvider.Postgres);
        await using var second = await TestHub.StartAsync(settings: new Dictionary<string, string?>(limits)
        {
            ["Exchange:DataDirectory"] = Path.Combine(first.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = first.CertificateDirectory,
            ["Exchange:Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["Exchange:Database:ConnectionString"] = first.PostgresConnectionString,
        });
        using (var garage = first.Channel("garage-kaminoyama"))
        {
            foreach (var customer in new[] { "C001", "C002", "C003" })
            {
                await new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customer) }, cancellationToken: Ct);
            }
        }

        await Task.WhenAll(LoadAsync(first, first, "A"), LoadAsync(second, first, "B"));

        using var admin = Channel(second, first, "admin");
        var log = new ProvisionLog.ProvisionLogClient(admin);
        await log.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        var verified = await log.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(3 + (2 * (ReadsPerHub + RefusalsPerHub + BatchPerHub)), verified.EntriesChecked);
        var entries = await first.ReadAllAsync();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));

        // One Merkle tree: both instances sign the same checkpoint, whose root is the tree of every entry.
        var signed = new List<Domain.Provisions.TreeCheckpoint?>();
        foreach (var hub in new[] { first, second })
        {
            await using var scope = hub.Services.CreateAsyncScope();
            signed.Add(await scope.ServiceProvider.GetRequiredService<Domain.Provisions.ProvisionTree>().CheckpointAsync(Ct));
        }

        Assert.Equal(entries.Count, signed[0]!.Size);
        Assert.Equal(signed[0]!.Note, signed[1]!.Note);

        // Two instances storing the same size at once is normal: the later insert yields, and nothing logs an error.
        await using (var scope = second.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<Domain.Provisions.IProvisionTreeStore>().AddCheckpointAsync(signed[0]! with { Note = "another" }, Ct);
            Assert.Equal(signed[0]!.Note, stored.Note);
        }

        Assert.Equal(Domain.Provisions.MerkleTree.RootOfLeaves(entries.Select(e => Domain.Provisions.MerkleTree.EntryLeafHash(e.EntryHash)).ToList()), signed[1]!.RootHash);
        Assert.Equal(2 * ReadsPerHub, entries.Count(e => e.Fact.Outcome == ProvisionOutcome.Provided));
        Assert.Equal(2 * RefusalsPerHub, entries.Count(e => e.Fact.Outcome == ProvisionOutcome.Refused));
        Assert.Equal(3 + (2 * BatchPerHub), entries.Count(e => e.Fact.Outcome == ProvisionOutcome.Received));
        // One call ID per acknowledged call: every read and refusal, the three writes and the two batches.
        Assert.Equal((2 * (ReadsPerHub + RefusalsPerHub)) + 3 + 2, entries.Select(e => e.Fact.CallId).Distinct().Count());
    }

    [Fact]
    public async Task Two_hubs_starting_together_on_an_empty_database_both_start_and_seed_it_once()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        using var database = new PostgresTestDatabase("together");
        var settings = new Dictionary<string, string?>
        {
            ["Exchange:Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["Exchange:Database:ConnectionString"] = database.ConnectionString,
        };

        var hubs = await Task.WhenAll(TestHub.StartAsync(settings: settings), TestHub.StartAsync(settings: new Dictionary<string, string?>(settings)));
        await using var first = hubs[0];
        await using var second = hubs[1];

        using var admin = first.Channel("admin");
        var declarations = await new Declarations.DeclarationsClient(admin).ListVersionsAsync(new ListVersionsRequest(), cancellationToken: Ct);
        var grants = await new Grants.GrantsClient(admin).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
        Assert.Equal([1], declarations.Versions.Select(v => v.Version));
        Assert.Equal(grants.Grants.Count, grants.Grants.Select(g => (g.Role, g.PartyId, g.Purpose)).Distinct().Count());
        Assert.NotEmpty(grants.Grants);
    }

    [Fact]
    public async Task A_search_page_token_from_one_hub_reads_the_next_page_on_the_other()
    {
        await using var first = await TestHub.StartAsync(provider: DatabaseProvider.Postgres);
        await using var second = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(first.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = first.CertificateDirectory,
            ["Exchange:Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["Exchange:Database:ConnectionString"] = first.PostgresConnectionString,
        });
        using (var garage = first.Channel("garage-kaminoyama"))
        {
            var batch = new PutCustomersRequest { Purpose = "after-sales" };
            batch.Records.AddRange(Enumerable.Range(0, 5).Select(i => Sample.Customer($"C{i:D3}")));
            await new Records.RecordsClient(garage).PutCustomersAsync(batch, cancellationToken: Ct);
        }

        async Task<List<SearchCustomersResponse>> SearchAsync(TestHub hub, string token)
        {
            using var lotus = Channel(hub, first, "group-lotus");
            using var call = new Records.RecordsClient(lotus).SearchCustomers(new SearchCustomersRequest { Purpose = "marketing", Items = { "contact" }, Limit = 3, PageToken = token }, cancellationToken: Ct);
            return await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
        }

        var page = await SearchAsync(first, "");
        var next = await SearchAsync(second, page[^1].NextPageToken);

        Assert.Equal(["C000", "C001", "C002", "C003", "C004"], page.Concat(next).Select(m => m.Record.CustomerRef));
        Assert.Empty(next[^1].NextPageToken);
    }

    // The second hub shares the first one's development PKI (and keys): calls to it present the first one's certificates.
    private static GrpcChannel Channel(TestHub hub, TestHub pki, string party) => pki.ChannelTo(hub, party);

    private static async Task LoadAsync(TestHub hub, TestHub pki, string prefix)
    {
        using var lotus = Channel(hub, pki, "group-lotus");
        using var vendor = Channel(hub, pki, "vendor-broadleaf");
        using var garage = Channel(hub, pki, "garage-kaminoyama");
        var reads = Enumerable.Range(0, ReadsPerHub).Select(i => new Records.RecordsClient(lotus)
            .GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = $"C00{1 + (i % 3)}", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
        var refusals = Enumerable.Range(0, RefusalsPerHub).Select(async _ =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => new Records.RecordsClient(vendor)
                .GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        });
        var batch = new PutCustomersRequest { Purpose = "after-sales" };
        batch.Records.AddRange(Enumerable.Range(0, BatchPerHub).Select(i => Sample.Customer($"{prefix}{i:D3}")));
        var write = new Records.RecordsClient(garage).PutCustomersAsync(batch, cancellationToken: Ct).ResponseAsync;
        await Task.WhenAll(reads.Cast<Task>().Concat(refusals).Append(write));
    }
}
