using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// The operator's oversight over a real hub on each provider: exceptional provisions, the scope of
/// an incident, and the disposal of personal data past its retention period (the hub's clock is
/// driven, so periods of minutes stand for years).
/// </summary>
public abstract class OversightServiceTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(time: _time, provider: provider, settings: new Dictionary<string, string?>
    {
        ["Exchange:Retention:CustomerRecords"] = "00:10:00",
        ["Exchange:Retention:WithdrawnGarageNotice"] = "00:05:00",
        ["Exchange:Retention:ProvisionLogEntries"] = "00:30:00",
        ["Exchange:Retention:SubjectRequests"] = "00:20:00",
        ["Exchange:Incidents:SensitiveItems:0"] = "contact.birth_date",
    });

    private Oversight.OversightClient Admin => new(Channel("admin"));

    [Fact]
    public async Task Disposal_removes_expired_records_and_leaves_the_log_verifiable()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        var start = _time.GetUtcNow();
        await PutAsync(garage, "OLD-1", "OLD-2");
        var subjects = new Subjects.SubjectsClient(Channel(Garage));
        var refused = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.Deletion, Records = { Key("OLD-1") } }, cancellationToken: Ct);
        await subjects.RefuseRequestAsync(new RefuseRequestRequest { RequestId = refused.Id, Ground = RefusalGround.WithdrawnByPerson, Reason = "本人が取り下げ" }, cancellationToken: Ct);
        var pending = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.Deletion, Records = { Key("OLD-2") } }, cancellationToken: Ct);
        _time.Advance(TimeSpan.FromMinutes(11));
        await PutAsync(garage, "NEW-1");

        var dry = await Admin.RunRetentionAsync(new RunRetentionRequest { DryRun = true }, cancellationToken: Ct);
        Assert.Equal(2, Disposed(dry, "customer-record"));
        Assert.NotNull((await garage.GetCustomerAsync(Get("OLD-1"), cancellationToken: Ct)).Record);

        var run = await Admin.RunRetentionAsync(new RunRetentionRequest(), cancellationToken: Ct);
        Assert.Equal((2, 0, 0, 0), (Disposed(run, "customer-record"), Disposed(run, "withdrawn-garage-record"), Disposed(run, "provision-log-subject"), Disposed(run, "subject-request")));
        Assert.Equal(StatusCode.NotFound, (await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("OLD-2"), cancellationToken: Ct).ResponseAsync)).StatusCode);
        Assert.NotNull((await garage.GetCustomerAsync(Get("NEW-1"), cancellationToken: Ct)).Record);

        // Thirty minutes on, the entries made before then lose their subject ID, not their hash.
        var before = (await Hub.ReadAllAsync()).Where(e => e.Fact.Time < start.AddMinutes(6)).ToList();
        var named = before.Count(e => e.Fact.SubjectId is not null);
        Assert.True(named >= 2, $"{named} entries named a person");
        _time.Advance(TimeSpan.FromMinutes(25));
        var reduced = await Admin.RunRetentionAsync(new RunRetentionRequest(), cancellationToken: Ct);
        Assert.Equal(named, Disposed(reduced, "provision-log-subject"));
        // The refused request went with the same run; the one still open stays.
        Assert.Equal(1, Disposed(reduced, "subject-request"));
        Assert.Equal(StatusCode.NotFound, (await Refusals.FailsAsync(() => subjects.GetRequestAsync(new GetRequestRequest { RequestId = refused.Id }, cancellationToken: Ct).ResponseAsync)).StatusCode);
        Assert.Equal(SubjectRequestStatus.Received, (await subjects.GetRequestAsync(new GetRequestRequest { RequestId = pending.Id }, cancellationToken: Ct)).Status);

        var after = (await Hub.ReadAllAsync()).ToDictionary(e => e.Sequence);
        Assert.All(before, e =>
        {
            Assert.Null(after[e.Sequence].Fact.SubjectId);
            Assert.Equal(e.EntryHash, after[e.Sequence].EntryHash);
        });
        Assert.Contains(after.Values, e => e.Fact.SubjectId is not null);

        var log = new ProvisionLog.ProvisionLogClient(Channel("admin"));
        var verified = await log.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
        var full = log.VerifyFull(new VerifyFullRequest(), cancellationToken: Ct);
        var last = await full.ResponseStream.ReadAllAsync(Ct).LastAsync(Ct);
        Assert.True(last.Result.Intact, last.Result.Problem);

        // The disposed person's record is gone from their report too; the kept one's is whole.
        var kept = await log.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = "NEW-1" }, cancellationToken: Ct);
        Assert.Equal([ProvisionOutcome.Received, ProvisionOutcome.Provided], kept.Entries.Select(e => e.Outcome));

        var runs = (await Admin.ListRetentionRunsAsync(new ListRetentionRunsRequest(), cancellationToken: Ct)).Runs;
        Assert.Equal([reduced.Id, run.Id, dry.Id], runs.Select(r => r.Id));
        Assert.True(runs[2].DryRun);
        var audited = (await Hub.ReadAuditAsync()).Select(e => e.Event).Where(e => e.Action == "retention.run").ToList();
        Assert.Equal(3, audited.Count);
        Assert.Contains("customer-record 2", audited.Single(e => e.Subject == run.Id).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_withdrawn_garages_records_are_erased_once_its_notice_period_has_passed()
    {
        var leaving = new Records.RecordsClient(await NewGarageChannelAsync("garage-leaving"));
        await PutAsync(leaving, "L-1", "L-2", "L-3");
        await new Partners.PartnersClient(Channel("admin")).WithdrawPartyAsync(new ChangePartyStateRequest { PartyId = "garage-leaving", Reason = "closed its business" }, cancellationToken: Ct);

        Assert.Equal(0, Disposed(await Admin.RunRetentionAsync(new RunRetentionRequest(), cancellationToken: Ct), "withdrawn-garage-record"));
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(3, Disposed(await Admin.RunRetentionAsync(new RunRetentionRequest(), cancellationToken: Ct), "withdrawn-garage-record"));
        Assert.Equal(0, Disposed(await Admin.RunRetentionAsync(new RunRetentionRequest(), cancellationToken: Ct), "withdrawn-garage-record"));
    }

    [Fact]
    public async Task Incident_scope_returns_exactly_the_persons_a_party_received_in_the_window()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        var subjects = await PutAsync(garage, "INC-1", "INC-2", "INC-3");
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read" } }, cancellationToken: Ct);
        var vendor = new Records.RecordsClient(Channel(Vendor));

        var from = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(1));
        await vendor.GetCustomerAsync(Get("INC-1", "contact.name"), cancellationToken: Ct);
        await vendor.GetCustomerAsync(Get("INC-1", "contact.phone"), cancellationToken: Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        await vendor.GetCustomerAsync(Get("INC-2", "contact.birth_date", "contact.name"), cancellationToken: Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        var to = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(1));
        await vendor.GetCustomerAsync(Get("INC-3"), cancellationToken: Ct);

        var scope = await Admin.GetIncidentScopeAsync(new GetIncidentScopeRequest { Party = Vendor, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) }, cancellationToken: Ct);

        var request = new GetIncidentScopeRequest { Party = Vendor, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) };
        var affected = await Admin.ListIncidentPersons(request, cancellationToken: Ct).ResponseStream.ReadAllAsync(Ct).SelectMany(p => p.Persons.ToAsyncEnumerable()).ToListAsync(Ct);

        Assert.Equal((2, 3), (scope.Persons, scope.Provisions));
        Assert.Equal(subjects.Take(2).Order(StringComparer.Ordinal), affected.Select(a => a.SubjectId));
        var first = affected.Single(a => a.SubjectId == subjects[0]);
        Assert.Equal((Garage, "INC-1", 2L, false), (first.Record.OwnerParty, first.Record.CustomerRef, first.Provisions, first.Sensitive));
        var second = affected.Single(a => a.SubjectId == subjects[1]);
        Assert.Equal(["contact.birth_date", "contact.name"], second.Items);
        Assert.True(second.Sensitive);
        Assert.True(scope.Sensitive);
        Assert.True(scope.ReportRequired);
        var birth = scope.Items.Single(i => i.Item == "contact.birth_date");
        Assert.Equal((1L, 1L, true), (birth.Persons, birth.Provisions, birth.Sensitive));
        Assert.NotEmpty(birth.ItemNameJa);
        Assert.Equal(2, scope.Items.Single(i => i.Item == "contact.name").Persons);
        Assert.Equal(["contact.name", "contact.phone"], first.Items);

        // Another party, or a window before the reads, received nobody.
        var none = await Admin.GetIncidentScopeAsync(new GetIncidentScopeRequest { Party = "group-lotus", From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) }, cancellationToken: Ct);
        Assert.Equal((0, false), (none.Persons, none.ReportRequired));
        Assert.Contains((await Hub.ReadAuditAsync()).Select(e => e.Event), e => e.Action == "incident.scope-read" && e.Subject == Vendor && e.Details.Contains("2 person(s), 3 provision(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Incident_scope_is_for_administrators_and_checks_its_window()
    {
        var window = new GetIncidentScopeRequest { Party = Vendor, From = Timestamp.FromDateTimeOffset(_time.GetUtcNow()), To = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddHours(-1)) };
        Assert.Equal(StatusCode.InvalidArgument, (await Refusals.FailsAsync(() => Admin.GetIncidentScopeAsync(window, cancellationToken: Ct).ResponseAsync)).StatusCode);
        window.To = null;
        Assert.Equal(StatusCode.InvalidArgument, (await Refusals.FailsAsync(() => Admin.GetIncidentScopeAsync(window, cancellationToken: Ct).ResponseAsync)).StatusCode);
        var garage = new Oversight.OversightClient(Channel(Garage));
        window.To = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddHours(1));
        Assert.Equal(StatusCode.PermissionDenied, (await Refusals.FailsAsync(() => garage.GetIncidentScopeAsync(window, cancellationToken: Ct).ResponseAsync)).StatusCode);
        window.Party = "not a party id";
        Assert.Equal(StatusCode.InvalidArgument, (await Refusals.FailsAsync(() => Admin.GetIncidentScopeAsync(window, cancellationToken: Ct).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Exceptional_provision_is_recorded_as_its_own_outcome_with_its_legal_basis()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        var subjects = await PutAsync(garage, "EXC-1", "EXC-2");
        var request = new RecordExceptionalProvisionRequest
        {
            Records = { Key("EXC-1"), Key("EXC-2") },
            Items = { "contact.name", "vehicle" },
            Authority = "神奈川県警察 港北警察署",
            LegalBasis = LegalBasis.LawsAndRegulations,
            Particulars = "刑事訴訟法第197条第2項に基づく照会（港北署刑第123号）",
        };

        ExceptionalProvision provision = null!;
        var entries = await Hub.EntriesDuringAsync(async () => provision = await Admin.RecordExceptionalProvisionAsync(request, cancellationToken: Ct));

        Assert.Equal(subjects, entries.Select(e => e.SubjectId));
        Assert.All(entries, e =>
        {
            Assert.Equal((ProvisionOutcome.Exceptional, Garage, "authority", "exceptional-provision", "laws-and-regulations"), (e.Outcome, e.Provider, e.Recipient, e.Purpose, e.Rule));
            Assert.Contains("contact.name", e.Items);
            Assert.Contains("vehicle.mileage", e.Items);
            Assert.DoesNotContain("contact.phone", e.Items);
        });
        Assert.False(provision.DiscloseToSubject);
        Assert.Equal(2, provision.Sequences.Count);
        var listed = Assert.Single((await Admin.ListExceptionalProvisionsAsync(new ListExceptionalProvisionsRequest(), cancellationToken: Ct)).Provisions, p => p.Id == provision.Id);
        Assert.Equal(request.Authority, listed.Authority);
        Assert.Contains((await Hub.ReadAuditAsync()).Select(e => e.Event), e => e.Action == "exceptional-provision.recorded" && e.Subject == provision.Id && e.Details.StartsWith("laws-and-regulations to an authority; 2 person(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exceptional_provisions_are_listed_a_page_at_a_time()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        await PutAsync(garage, "PAGE-1");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            ids.Add((await Admin.RecordExceptionalProvisionAsync(new RecordExceptionalProvisionRequest { Records = { Key("PAGE-1") }, Items = { "contact.name" }, Authority = $"裁判所 {i}", LegalBasis = LegalBasis.LawsAndRegulations, DiscloseToSubject = true }, cancellationToken: Ct)).Id);
        }

        var first = await Admin.ListExceptionalProvisionsAsync(new ListExceptionalProvisionsRequest { Limit = 2 }, cancellationToken: Ct);
        var second = await Admin.ListExceptionalProvisionsAsync(new ListExceptionalProvisionsRequest { Limit = 2, PageToken = first.NextPageToken }, cancellationToken: Ct);

        var listed = first.Provisions.Concat(second.Provisions).Select(p => p.Id).ToList();
        Assert.Equal(Enumerable.Reverse(ids).ToList(), listed.Where(ids.Contains).ToList());
        Assert.NotEmpty(first.NextPageToken);
    }

    [Fact]
    public async Task Hostile_or_wrong_exceptional_provisions_are_refused_precisely_and_write_nothing()
    {
        var garage = new Records.RecordsClient(Channel(Garage));
        await PutAsync(garage, "BAD-1");
        RecordExceptionalProvisionRequest Valid() => new() { Records = { Key("BAD-1") }, Items = { "contact.name" }, Authority = "裁判所", LegalBasis = LegalBasis.LawsAndRegulations };

        var cases = new (Action<RecordExceptionalProvisionRequest> Spoil, StatusCode Status, string Message)[]
        {
            (r => r.Authority = new string('警', 201), StatusCode.InvalidArgument, "authority is longer than 200 characters"),
            (r => r.Authority = "裁判所\u202e", StatusCode.InvalidArgument, "authority holds the character U+202E"),
            (r => r.Authority = " ", StatusCode.InvalidArgument, "authority is required"),
            (r => r.Particulars = new string('x', 501), StatusCode.InvalidArgument, "particulars is longer than 500 characters"),
            (r => r.LegalBasis = LegalBasis.Unspecified, StatusCode.InvalidArgument, "legal_basis"),
            (r => r.LegalBasis = (LegalBasis)99, StatusCode.InvalidArgument, "legal_basis"),
            (r => r.Items[0] = "contact.blood_type", StatusCode.InvalidArgument, "contact.blood_type"),
            (r => r.Records.Add(Key("BAD-1")), StatusCode.InvalidArgument, "twice"),
            (r => r.Records.Add(Key("NO-SUCH")), StatusCode.NotFound, "NO-SUCH"),
            (r => r.Records.Clear(), StatusCode.InvalidArgument, "records"),
            (r => r.ProvidedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(1)), StatusCode.InvalidArgument, "provided_at"),
        };

        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            foreach (var (spoil, status, message) in cases)
            {
                var request = Valid();
                spoil(request);
                var refused = await Refusals.FailsAsync(() => Admin.RecordExceptionalProvisionAsync(request, cancellationToken: Ct).ResponseAsync);
                Assert.Equal(status, refused.StatusCode);
                Assert.Contains(message, refused.Status.Detail, StringComparison.Ordinal);
            }

            var garageRefused = await Refusals.FailsAsync(() => new Oversight.OversightClient(Channel(Garage)).RecordExceptionalProvisionAsync(Valid(), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, garageRefused.StatusCode);
        });

        Assert.DoesNotContain(entries, e => e.Outcome == ProvisionOutcome.Exceptional);
        Assert.DoesNotContain((await Admin.ListExceptionalProvisionsAsync(new ListExceptionalProvisionsRequest(), cancellationToken: Ct)).Provisions, p => p.Records.Any(r => r.CustomerRef == "BAD-1"));
    }

    private static CustomerKey Key(string customerRef) => new() { OwnerParty = Garage, CustomerRef = customerRef };

    private static GetCustomerRequest Get(string customerRef, params string[] items) =>
        new() { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = customerRef, Items = { items.Length == 0 ? ["contact"] : items } };

    private static long Disposed(RetentionRun run, string kind) => run.Disposed.Single(d => d.Kind == kind).Count;

    private static async Task<List<string>> PutAsync(Records.RecordsClient client, params string[] customerRefs)
    {
        var subjects = new List<string>();
        foreach (var customerRef in customerRefs)
        {
            subjects.Add((await client.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct)).SubjectId);
        }

        return subjects;
    }
}

/// <summary>Oversight on a real SQLite file.</summary>
public sealed class OversightServiceOnSqliteTests() : OversightServiceTests(DatabaseProvider.Sqlite);

/// <summary>Oversight on a real PostgreSQL database.</summary>
public sealed class OversightServiceOnPostgresTests() : OversightServiceTests(DatabaseProvider.Postgres);
