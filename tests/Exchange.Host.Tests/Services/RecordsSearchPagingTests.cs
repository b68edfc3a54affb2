using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Issue 20, item 3: a search answers at most 1,000 matches per call and says when more follow with
/// a page token, so that following tokens reads a search whole, each page checked and recorded as a
/// search of its own; a token serves only the search it came from.
/// </summary>
public abstract class RecordsSearchPagingTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Second = "garage-zao";
    private const string Lotus = "group-lotus";
    private const string Recalled = "DAA-ZVW30";
    private const string Other = "DBA-NCP91";

    // Searching for recall as the group body takes a grant an administrator sets: the defaults give it counts only.
    protected override async Task<TestHub> StartHubAsync() => await (await TestHub.StartAsync(provider: provider)).AllowGroupBodyRecallAsync();

    [Fact]
    public async Task Following_tokens_reads_a_model_code_over_every_garage_whole_each_record_once_in_stored_order_with_one_entry_each()
    {
        var second = new Records.RecordsClient(await NewGarageChannelAsync(Second));
        var garage = new Records.RecordsClient(Channel(Garage));
        // Stored in four batches that alternate the garages; every sixth customer drives another model.
        var expected = new List<(string Owner, string Ref, string Subject)>();
        foreach (var (client, owner, prefix, from) in new[] { (garage, Garage, "K", 0), (second, Second, "Z", 0), (garage, Garage, "K", 900), (second, Second, "Z", 900) })
        {
            var batch = Enumerable.Range(from, 900).Select(i => Sample.Customer($"{prefix}{i:D5}", modelCode: i % 6 == 5 ? Other : Recalled)).ToList();
            var written = await PutAsync(client, batch);
            expected.AddRange(batch.Where(r => r.Vehicles[0].InspectionCertificate.ModelCode == Recalled).Select(r => (owner, r.CustomerRef, written[r.CustomerRef])));
        }

        var pages = new List<List<SearchCustomersResponse>>();
        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            var token = "";
            do
            {
                pages.Add(await SearchAsync(Lotus, Recall(limit: pages.Count == 0 ? 5000 : 0, token)));
                token = pages[^1][^1].NextPageToken;
            }
            while (token.Length > 0);
        });

        Assert.Equal(3000, expected.Count);
        Assert.Equal([1000, 1000, 1000], pages.Select(p => p.Count));
        Assert.All(pages[..^1], p => Assert.NotEmpty(p[^1].NextPageToken));
        Assert.All(pages.SelectMany(p => p[..^1]), m => Assert.Empty(m.NextPageToken));
        Assert.Empty(pages[^1][^1].NextPageToken);
        Assert.Equal(expected.Select(e => (e.Owner, e.Ref)), pages.SelectMany(p => p).Select(m => (m.Record.OwnerParty, m.Record.CustomerRef)));
        Assert.Equal(expected.Select(e => e.Subject), entries.Select(e => e.SubjectId));
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Provided, "recall", Lotus), (e.Outcome, e.Purpose, e.Recipient)));
        Assert.Equal(3, entries.Select(e => e.CallId).Distinct().Count());
    }

    [Fact]
    public async Task A_limit_above_the_maximum_is_answered_with_the_maximum_and_a_token_and_a_negative_one_is_refused()
    {
        await PutAsync(new Records.RecordsClient(Channel(Garage)), Enumerable.Range(0, 1001).Select(i => Sample.Customer($"K{i:D5}")).ToList());

        var first = await SearchAsync(Lotus, Recall(limit: 5000, ""));
        var rest = await SearchAsync(Lotus, Recall(limit: 5000, first[^1].NextPageToken));
        var negative = await Assert.ThrowsAsync<RpcException>(() => SearchAsync(Lotus, Recall(limit: -1, "")));

        Assert.Equal(1000, first.Count);
        Assert.NotEmpty(first[^1].NextPageToken);
        Assert.Equal("K01000", Assert.Single(rest).Record.CustomerRef);
        Assert.Empty(rest[0].NextPageToken);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Contains("limit -1 is negative", negative.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_garages_search_pages_in_customer_ref_order_whatever_order_the_records_were_stored_in()
    {
        var refs = Enumerable.Range(0, 2500).Select(i => $"K{i:D5}").ToList();
        var shuffled = refs.OrderBy(r => Random.Shared.Next()).ToList();
        var garage = new Records.RecordsClient(Channel(Garage));
        foreach (var batch in shuffled.Chunk(1000))
        {
            await PutAsync(garage, batch.Select(r => Sample.Customer(r)).ToList());
        }

        var received = new List<string>();
        var token = "";
        var calls = 0;
        do
        {
            var page = await SearchAsync(Lotus, Recall(limit: 700, token, owner: Garage));
            received.AddRange(page.Select(m => m.Record.CustomerRef));
            token = page[^1].NextPageToken;
            calls++;
        }
        while (token.Length > 0);

        Assert.Equal(refs, received);
        Assert.Equal(4, calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Records_written_between_pages_are_sent_at_most_once_and_none_that_stays_is_lost(bool oneGarage)
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        var stored = Enumerable.Range(0, 1200).Select(i => $"M{i:D5}").ToList();
        await PutAsync(garage, stored.Select(r => Sample.Customer(r)).ToList());
        var owner = oneGarage ? Garage : "";

        var received = new List<string>();
        var page = await SearchAsync(Lotus, Recall(limit: 500, "", owner));
        received.AddRange(page.Select(m => m.Record.CustomerRef));
        // New customers sort before and after the page's end, and records on both sides of it are corrected.
        var before = Enumerable.Range(0, 50).Select(i => $"A{i:D5}").ToList();
        var after = Enumerable.Range(0, 50).Select(i => $"Z{i:D5}").ToList();
        var corrected = new[] { "M00010", "M00499", "M00500", "M01100" };
        await PutAsync(garage, [.. before.Concat(after).Select(r => Sample.Customer(r)), .. corrected.Select(r => Sample.Customer(r, billed: 99_000))]);
        var token = page[^1].NextPageToken;
        while (token.Length > 0)
        {
            page = await SearchAsync(Lotus, Recall(limit: 500, token, owner));
            received.AddRange(page.Select(m => m.Record.CustomerRef));
            token = page[^1].NextPageToken;
        }

        // Over every garage, the new customers come after those first stored, wherever their references sort; in one garage's order, only those after the page's end.
        Assert.Equal([.. stored, .. oneGarage ? after : before.Concat(after)], received);
    }

    [Fact]
    public async Task A_token_of_another_search_or_an_altered_truncated_or_garbage_one_is_refused_as_an_invalid_argument_and_recorded_nowhere()
    {
        await PutAsync(new Records.RecordsClient(Channel(Garage)), Enumerable.Range(0, 5).Select(i => Sample.Customer($"K{i:D5}")).ToList());
        var token = (await SearchAsync(Lotus, Recall(limit: 2, "")))[^1].NextPageToken;
        Assert.NotEmpty(token);
        var middle = token.Length / 2;
        var altered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];

        // The same search in another order goes on: items and model codes are sets.
        var reordered = Recall(limit: 2, token);
        reordered.Items.Clear();
        reordered.Items.Add(["vehicle", "contact"]);
        reordered.ModelCodes.Add(Recalled);
        Assert.Equal(["K00002", "K00003"], (await SearchAsync(Lotus, reordered)).Select(m => m.Record.CustomerRef));

        var refusals = new List<(string Case, RpcException Error)>();
        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            async Task RefusedAsync(string name, string party, SearchCustomersRequest request) =>
                refusals.Add((name, await Assert.ThrowsAsync<RpcException>(() => SearchAsync(party, request))));

            await RefusedAsync("other model code", Lotus, With(Recall(limit: 2, token), r => r.ModelCodes.Add(Other)));
            await RefusedAsync("other items", Lotus, With(Recall(limit: 2, token), r => r.Items.Remove("vehicle")));
            await RefusedAsync("other owner", Lotus, Recall(limit: 2, token, owner: Garage));
            await RefusedAsync("other prefecture", Lotus, With(Recall(limit: 2, token), r => r.Prefecture = "山形県"));
            await RefusedAsync("other purpose", Lotus, With(Recall(limit: 2, token), r => r.Purpose = "marketing"));
            await RefusedAsync("other caller", "vendor-broadleaf", Recall(limit: 2, token));
            await RefusedAsync("altered", Lotus, Recall(limit: 2, altered));
            await RefusedAsync("truncated", Lotus, Recall(limit: 2, token[..^6]));
            await RefusedAsync("garbage", Lotus, Recall(limit: 2, "not-a-token"));
            await RefusedAsync("too long", Lotus, Recall(limit: 2, new string('A', 100_000)));
        });

        Assert.All(refusals, r => Assert.Equal((r.Case, StatusCode.InvalidArgument), (r.Case, r.Error.StatusCode)));
        Assert.All(refusals[..6], r => Assert.StartsWith("page_token belongs to another search", r.Error.Status.Detail, StringComparison.Ordinal));
        Assert.All(refusals[6..^1], r => Assert.StartsWith("page_token is not a token this hub issued", r.Error.Status.Detail, StringComparison.Ordinal));
        Assert.Empty(entries);
    }

    [Fact]
    public async Task A_page_whose_last_matches_were_all_left_out_still_ends_with_its_token()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        await PutAsync(garage, Enumerable.Range(0, 6).Select(i => Sample.Customer($"K{i:D5}")).ToList());
        foreach (var optedOut in new[] { "K00000", "K00001", "K00002" })
        {
            await garage.SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = optedOut, Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);
        }

        var marketing = new SearchCustomersRequest { Purpose = "marketing", Items = { "contact" }, Limit = 3 };
        var first = await SearchAsync(Lotus, marketing);
        var second = await SearchAsync(Lotus, With(marketing, r => r.PageToken = first[^1].NextPageToken));

        var only = Assert.Single(first);
        Assert.Null(only.Record);
        Assert.NotEmpty(only.NextPageToken);
        Assert.Equal(["K00003", "K00004", "K00005"], second.Select(m => m.Record.CustomerRef));
        Assert.Empty(second[^1].NextPageToken);
    }

    private static SearchCustomersRequest Recall(int limit, string token, string owner = "") =>
        new() { Purpose = "recall", Items = { "contact", "vehicle" }, ModelCodes = { Recalled }, Limit = limit, PageToken = token, OwnerParty = owner };

    private static SearchCustomersRequest With(SearchCustomersRequest request, Action<SearchCustomersRequest> change)
    {
        var copy = request.Clone();
        change(copy);
        return copy;
    }

    private async Task<List<SearchCustomersResponse>> SearchAsync(string party, SearchCustomersRequest request)
    {
        using var call = new Records.RecordsClient(Channel(party)).SearchCustomers(request, cancellationToken: Ct);
        return await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
    }

    // In batches as large as the hub takes; each reference with the person's subject ID.
    private static async Task<Dictionary<string, string>> PutAsync(Records.RecordsClient garage, IReadOnlyList<CustomerRecord> records)
    {
        var subjects = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var batch in records.Chunk(1000))
        {
            var request = new PutCustomersRequest { Purpose = "after-sales" };
            request.Records.AddRange(batch);
            var reply = await garage.PutCustomersAsync(request, cancellationToken: Ct);
            foreach (var result in reply.Results)
            {
                subjects[result.CustomerRef] = result.SubjectId;
            }
        }

        return subjects;
    }
}

/// <summary>Paged searches on SQLite.</summary>
public sealed class RecordsSearchPagingOnSqliteTests() : RecordsSearchPagingTests(DatabaseProvider.Sqlite);

/// <summary>Paged searches on PostgreSQL.</summary>
public sealed class RecordsSearchPagingOnPostgresTests() : RecordsSearchPagingTests(DatabaseProvider.Postgres);
