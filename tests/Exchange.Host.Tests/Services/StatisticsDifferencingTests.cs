using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Statistics resist differencing (docs/statistics.md): eleven customers of one garage and one of
/// another, all in one prefecture, so that filtering by the first garage removes exactly one person.
/// </summary>
public sealed class StatisticsDifferencingTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Zao = "garage-zao";
    private const long ZaoBilled = 87_654;

    private static readonly StatisticsDimension[] Dimensions =
        [StatisticsDimension.ModelCode, StatisticsDimension.Prefecture, StatisticsDimension.FirstRegistrationYear, StatisticsDimension.OwnerParty];

    // 41,010 to 41,110 yen: nobody's amount is a round figure, so a difference equal to one is no coincidence.
    private static readonly long[] GarageBilled = [.. Enumerable.Range(1, 11).Select(i => 41_000L + (10 * i))];

    private GrpcChannel _zao = null!;

    private Records.RecordsClient Lotus => new(Channel("group-lotus"));

    private async Task WriteDatasetAsync()
    {
        var admin = Channel("admin");
        await admin.AddPartyAsync(Zao);
        using var keys = new PartnerKeys(Zao);
        var issued = await admin.IssueAsync(Zao, keys);
        _zao = Channel(Certificate(keys, issued.CertificatePem));
        var garage = new Records.RecordsClient(Channel(Garage));
        var batch = new PutCustomersRequest { Purpose = "after-sales" };
        batch.Records.AddRange(GarageBilled.Select((billed, i) => Sample.Customer($"K{i + 1:00}", billed: billed)));
        await garage.PutCustomersAsync(batch, cancellationToken: Ct);
        await WriteZaoCustomerAsync(ZaoBilled);
    }

    private X509Certificate2 Certificate(PartnerKeys keys, string pem) => Track(keys.Certificate(pem));

    private Task WriteZaoCustomerAsync(long billed) =>
        new Records.RecordsClient(_zao).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("Z01", billed: billed) }, cancellationToken: Ct).ResponseAsync;

    private static StatisticsRequest Query(StatisticsDimension groupBy, string ownerParty = "") =>
        new() { Purpose = "statistics", GroupBy = groupBy, OwnerParty = ownerParty };

    [Fact]
    public async Task The_same_query_twice_gets_the_same_answer_and_leaves_one_provision_entry_each_and_no_audit_event()
    {
        await WriteDatasetAsync();
        var lotus = Lotus;
        var answers = new List<StatisticsResponse>();

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            answers.Add(await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture), cancellationToken: Ct));
            answers.Add(await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture), cancellationToken: Ct));
        });

        Assert.Equal(answers[0], answers[1]);
        var group = Assert.Single(answers[0].Groups);
        Assert.Equal(("山形県", 10L, 10L, 500_000L), (group.Key, group.Persons, group.Vehicles, group.BilledAmountYen));
        Assert.Equal((0L, 10L, 10), (answers[0].SuppressedPersons, answers[0].TotalPersons, answers[0].K));
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Provided, "*", "group-lotus", null, "statistics", null), (e.Outcome, e.Provider, e.Recipient, e.SubjectId, e.Purpose, e.Rule)));
        Assert.All(entries, e => Assert.Equal(["contact.address", "cost.billed_amount"], e.Items));
        Assert.Empty(events);
    }

    [Fact]
    public async Task An_owner_filter_that_removes_exactly_one_person_does_not_reveal_their_billed_amount()
    {
        await WriteDatasetAsync();
        var lotus = Lotus;
        StatisticsResponse all = null!, garageOnly = null!;

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            all = await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture), cancellationToken: Ct);
            garageOnly = await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture, Garage), cancellationToken: Ct);
        });

        // The two describe 12 and 11 persons; subtracted, they say nothing of the twelfth.
        Assert.NotEqual(ZaoBilled, all.Groups.Single().BilledAmountYen - garageOnly.Groups.Single().BilledAmountYen);
        Assert.Equal(all.Groups.Single(), garageOnly.Groups.Single());

        // The same pair of answers, had the person been billed ¥1,234: the answers cannot tell the two apart.
        await WriteZaoCustomerAsync(1_234);
        Assert.Equal(all, await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture), cancellationToken: Ct));
        Assert.Equal(garageOnly, await lotus.QueryStatisticsAsync(Query(StatisticsDimension.Prefecture, Garage), cancellationToken: Ct));

        Assert.Equal([("*", "group-lotus"), (Garage, "group-lotus")], entries.Select(e => (e.Provider, e.Recipient)));
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Provided, null, "statistics"), (e.Outcome, e.SubjectId, e.Purpose)));
        Assert.Empty(events);
    }

    [Fact]
    public async Task No_pair_of_permitted_queries_differs_by_one_persons_billed_amount_or_by_one_person()
    {
        await WriteDatasetAsync();
        var lotus = Lotus;
        var answers = new List<StatisticsResponse>();
        var refused = new List<RpcException>();

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            foreach (var dimension in Dimensions)
            {
                foreach (var owner in new[] { "", Garage, Zao })
                {
                    try
                    {
                        answers.Add(await lotus.QueryStatisticsAsync(Query(dimension, owner), cancellationToken: Ct));
                    }
                    catch (RpcException error)
                    {
                        refused.Add(error);
                    }
                }
            }
        });

        // Every query is permitted but those over the one customer of garage-zao.
        Assert.Equal(8, answers.Count);
        Assert.Equal(4, refused.Count);
        Assert.All(refused, e => Assert.Equal("statistics.below-k", e.Trailers.GetValue("exchange-rule")));
        Assert.Equal(12, entries.Count);
        Assert.Equal(8, entries.Count(e => e.Outcome == ProvisionOutcome.Provided));
        Assert.Empty(events);

        long[] persons = [.. GarageBilled, ZaoBilled];
        var billed = answers.SelectMany(a => a.Groups.Select(g => g.BilledAmountYen)).ToList();
        var counts = answers.SelectMany(a => a.Groups.SelectMany(g => new[] { g.Persons, g.Vehicles }).Append(a.TotalPersons).Append(a.SuppressedPersons)).ToList();
        Assert.NotEmpty(billed);
        foreach (var a in billed)
        {
            Assert.DoesNotContain(a, persons);
            foreach (var b in billed)
            {
                Assert.DoesNotContain(Math.Abs(a - b), persons);
            }
        }

        Assert.DoesNotContain(counts, a => counts.Any(b => Math.Abs(a - b) == 1));
    }
}
