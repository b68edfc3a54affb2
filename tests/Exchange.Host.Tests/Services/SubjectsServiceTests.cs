using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// A person's requests over real mTLS on each provider: a deletion, correction or cessation at one
/// garage reaches every partner that received the data, each acknowledgement is recorded and a
/// missing one reminded; a cessation of provision to the group body stops its marketing reads but
/// not a recall notice; the provision report lists exactly the provisions made, in Japanese.
/// </summary>
public abstract class SubjectsServiceTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const string Zao = "group-zao";
    private const string GarageNameJa = "株式会社上山オート";
    private const string LotusNameJa = "株式会社ロータス（全日本ロータス同友会）";
    private const string ZaoNameJa = "株式会社蔵王自動車";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    // A second group body named in the declaration, so that a record reaches two partners; timers
    // slow enough that advancing the fake clock by days stays cheap.
    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(time: _time, provider: provider, settings: new Dictionary<string, string?>
    {
        ["Exchange:Declaration:GroupBodyPartyIds:0"] = Lotus,
        ["Exchange:Declaration:GroupBodyPartyIds:1"] = Zao,
        ["Exchange:Feed:HeadCheckInterval"] = "00:01:00",
        ["Exchange:Subjects:ReminderCheckInterval"] = "01:00:00",
    });

    [Fact]
    public async Task Deletion_reaches_every_partner_that_received_the_record_records_each_acknowledgement_and_reminds_the_missing_one()
    {
        var zao = await NewGroupBodyChannelAsync();
        var subject = await PutAsync("SUB-D001");
        await ReadAsync(Channel(Lotus), "SUB-D001", "contact.name");
        await ReadAsync(zao, "SUB-D001", "contact.phone");

        var subjects = Client(Channel(Garage));
        SubjectRequest executed = null!;
        var (entries, audit) = await Hub.TracesDuringAsync(async () =>
        {
            var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.Deletion, Records = { Key("SUB-D001") }, Verification = Verification() }, cancellationToken: Ct);
            Assert.Equal((SubjectRequestStatus.Verified, Garage, subject), (opened.Status, opened.OpenedBy, Assert.Single(opened.SubjectIds)));
            executed = await subjects.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct);
        });

        Assert.Equal(SubjectRequestStatus.Propagating, executed.Status);
        Assert.Equal([Lotus, Zao], executed.Propagations.Select(p => p.Partner));
        Assert.All(executed.Propagations, p => Assert.Equal((PropagationOutcome.Pending, executed.Id, 0), (p.Outcome, p.RequestId, p.Reminders)));
        var deleted = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Deleted, Garage, "hub", subject), (deleted.Outcome, deleted.Provider, deleted.Recipient, deleted.SubjectId));
        Assert.Equal(["subject-request.opened", "subject-request.executed"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(($"subject-request/{executed.Id}", Garage), (e.Subject, e.Actor)));
        Assert.DoesNotContain(audit, e => e.Details.Contains("山田", StringComparison.Ordinal) || e.Details.Contains("SUB-D001", StringComparison.Ordinal));

        foreach (var (partner, channel) in new[] { (Lotus, Channel(Lotus)), (Zao, zao) })
        {
            var notice = Assert.Single(await EventsAsync(channel, 1, e => e.RecordDeleted is not null));
            Assert.Equal((Garage, "SUB-D001", subject, executed.Id), (notice.RecordDeleted.OwnerParty, notice.RecordDeleted.CustomerRef, notice.RecordDeleted.SubjectId, notice.RecordDeleted.RequestId));
            Assert.Equal(executed.Propagations.Single(p => p.Partner == partner).FeedSequence, notice.Sequence);
        }

        Assert.Equal(StatusCode.NotFound, (await Refusals.FailsAsync(() => new Records.RecordsClient(Channel(Garage)).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "SUB-D001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync)).StatusCode);

        // Only the partner a propagation was sent to acknowledges it: not the garage, not another partner's stand-in.
        var notSent = await Refusals.FailsAsync(() => subjects.AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = executed.Id, Outcome = PropagationOutcome.Applied }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, true), (notSent.StatusCode, notSent.Status.Detail.Contains("subject-request.not-propagation-recipient", StringComparison.Ordinal)));
        Assert.All((await subjects.GetRequestAsync(new GetRequestRequest { RequestId = executed.Id }, cancellationToken: Ct)).Propagations, p => Assert.Equal(PropagationOutcome.Pending, p.Outcome));

        var applied = await Client(Channel(Lotus)).AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = executed.Id, Outcome = PropagationOutcome.Applied }, cancellationToken: Ct);
        Assert.Equal((PropagationOutcome.Applied, Lotus), (applied.Outcome, applied.Partner));
        var again = await Client(Channel(Lotus)).AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = executed.Id, Outcome = PropagationOutcome.NotApplied, RefusalGround = RefusalGround.NoGround, RefusalReason = "後から" }, cancellationToken: Ct);
        Assert.Equal((PropagationOutcome.Applied, applied.AcknowledgedAt), (again.Outcome, again.AcknowledgedAt));
        Assert.Equal(SubjectRequestStatus.Propagating, (await subjects.GetRequestAsync(new GetRequestRequest { RequestId = executed.Id }, cancellationToken: Ct)).Status);

        // Zao leaves it unacknowledged: reminded once the period has passed, and again a period later.
        _time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        var reminded = await WaitForAsync(subjects, executed.Id, r => r.Propagations.Single(p => p.Partner == Zao).Reminders == 1);
        Assert.Equal(0, reminded.Propagations.Single(p => p.Partner == Lotus).Reminders);
        var reminder = Assert.Single(await EventsAsync(zao, 1, e => e.PropagationReminder is not null)).PropagationReminder;
        Assert.Equal((executed.Id, executed.Propagations.Single(p => p.Partner == Zao).FeedSequence, 1), (reminder.RequestId, reminder.FeedSequence, reminder.Reminder));
        _time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        await WaitForAsync(subjects, executed.Id, r => r.Propagations.Single(p => p.Partner == Zao).Reminders == 2);

        var refused = await Client(zao).AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = executed.Id, Outcome = PropagationOutcome.NotApplied, RefusalGround = RefusalGround.RetentionRequiredByLaw, RefusalReason = "法令に基づく保存期間中" }, cancellationToken: Ct);
        Assert.Equal((PropagationOutcome.NotApplied, RefusalGround.RetentionRequiredByLaw, "法令に基づく保存期間中"), (refused.Outcome, refused.RefusalGround, refused.RefusalReason));
        var completed = await subjects.GetRequestAsync(new GetRequestRequest { RequestId = executed.Id }, cancellationToken: Ct);
        Assert.Equal(SubjectRequestStatus.Completed, completed.Status);
        Assert.NotNull(completed.CompletedAt);

        var steps = (await Hub.ReadAuditAsync()).Select(e => e.Event).Where(e => e.Subject == $"subject-request/{executed.Id}").Select(e => (e.Actor, e.Action)).ToList();
        Assert.Equal(
            [(Garage, "subject-request.opened"), (Garage, "subject-request.executed"), (Lotus, "subject-request.acknowledged"), ("hub", "subject-request.reminded"), ("hub", "subject-request.reminded"), (Zao, "subject-request.acknowledged"), (Zao, "subject-request.completed")],
            steps);
        Assert.True((await new ProvisionLog.ProvisionLogClient(Channel("admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct)).Intact);
    }

    [Fact]
    public async Task Cessation_of_provision_to_the_group_body_stops_its_marketing_reads_but_not_a_recall_notice()
    {
        var record = Sample.Customer("SUB-C001");
        record.Vehicles[0].InspectionCertificate.ChassisNumber = "ZVW30-1000005";
        var subject = await PutAsync(record);
        await ReadAsync(Channel(Lotus), "SUB-C001", "contact.name");
        var subjects = Client(Channel(Garage));

        Assert.Equal(StatusCode.InvalidArgument, (await Refusals.FailsAsync(() => subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.CessationOfProvision, Records = { Key("SUB-C001") }, Purposes = { "recall" } }, cancellationToken: Ct).ResponseAsync)).StatusCode);
        var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.CessationOfProvision, Records = { Key("SUB-C001") }, Purposes = { "marketing" } }, cancellationToken: Ct);
        Assert.Equal(SubjectRequestStatus.Received, opened.Status);
        var unverified = await Refusals.FailsAsync(() => subjects.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, unverified.StatusCode);
        Assert.Contains("verification", unverified.Status.Detail, StringComparison.Ordinal);

        await subjects.RecordVerificationAsync(new RecordVerificationRequest { RequestId = opened.Id, Verification = Verification() }, cancellationToken: Ct);
        var executed = await subjects.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct);
        Assert.Equal((SubjectRequestStatus.Propagating, Lotus), (executed.Status, Assert.Single(executed.Propagations).Partner));
        var stopped = Assert.Single(await EventsAsync(Channel(Lotus), 1, e => e.ProcessingStopped is not null)).ProcessingStopped;
        Assert.Equal((Garage, "SUB-C001", subject, executed.Id), (stopped.OwnerParty, stopped.CustomerRef, stopped.SubjectId, stopped.RequestId));
        Assert.Equal(["marketing"], stopped.Purposes);

        var refusal = await Refusals.FailsAsync(() => ReadAsync(Channel(Lotus), "SUB-C001", "contact.name"));
        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Contains("person.opted-out", refusal.Status.Detail, StringComparison.Ordinal);

        await Hub.AllowGroupBodyRecallAsync();
        var definition = new CampaignDefinition
        {
            RecallNumber = "5555",
            Manufacturer = "トヨタ自動車株式会社",
            DescriptionJa = "制御プログラムが不適切。",
            RemedyJa = "プログラムを書き換える。",
            StartsOn = new Date { Year = 2020, Month = 1, Day = 1 },
            ChassisRanges = { new ChassisRange { FramePrefix = "ZVW30", SerialFrom = 1_000_000, SerialTo = 1_999_999 } },
        };
        await new Recalls.RecallsClient(Channel(Lotus)).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct);
        var notice = Assert.Single(await EventsAsync(Channel(Garage), 1, e => e.RecallNotice is not null)).RecallNotice;
        Assert.Equal(("SUB-C001", subject, ""), (notice.Vehicle.CustomerRef, notice.SubjectId, notice.WithheldRule));
    }

    [Fact]
    public async Task Correction_is_applied_through_the_write_path_and_reaches_the_partner_with_the_request()
    {
        var subject = await PutAsync("SUB-K001");
        await ReadAsync(Channel(Lotus), "SUB-K001", "contact.name", "contact.phone");
        var subjects = Client(Channel(Lotus));
        var correction = new CustomerRecord { Contact = new CustomerContact { Phone = "023-672-9999" } };
        var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.Correction, Records = { Key("SUB-K001") }, Correction = correction, Verification = Verification() }, cancellationToken: Ct);

        SubjectRequest executed = null!;
        var entries = await Hub.EntriesDuringAsync(async () => executed = await subjects.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct));

        var received = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Received, Garage, subject, "after-sales"), (received.Outcome, received.Provider, received.SubjectId, received.Purpose));
        var stored = (await new Records.RecordsClient(Channel(Garage)).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "SUB-K001", Items = { "contact", "vehicle" } }, cancellationToken: Ct)).Record;
        Assert.Equal(("023-672-9999", "山田 太郎 SUB-K001", "v1"), (stored.Contact.Phone, stored.Contact.Name, Assert.Single(stored.Vehicles).VehicleRef));
        var corrected = Assert.Single(await EventsAsync(Channel(Lotus), 1, e => e.RecordCorrected is not null));
        Assert.Equal((opened.Id, "023-672-9999"), (corrected.RecordCorrected.RequestId, corrected.RecordCorrected.Record.Contact.Phone));
        var propagation = Assert.Single(executed.Propagations);
        Assert.Equal((SubjectRequestStatus.Propagating, Lotus, corrected.Sequence), (executed.Status, propagation.Partner, propagation.FeedSequence));
    }

    [Fact]
    public async Task Provision_report_lists_exactly_the_provisions_made_in_Japanese_with_legal_names_and_summarises_the_rest()
    {
        var zao = await NewGroupBodyChannelAsync();
        var subject = await PutAsync("SUB-R001");
        await PutAsync("SUB-R002");
        await ReadAsync(Channel(Lotus), "SUB-R001", "contact.name", "contact.phone");
        await ReadAsync(zao, "SUB-R001", "vehicle.mileage");
        await ReadAsync(Channel(Lotus), "SUB-R002", "contact.name");
        // The garage's own use of its own record is no provision to a third party: summarised.
        await new Records.RecordsClient(Channel(Garage)).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "SUB-R001", Items = { "contact" } }, cancellationToken: Ct);
        await Refusals.FailsAsync(() => ReadAsync(zao, "SUB-R001", "repair.work"));
        var log = await Hub.ReadAllAsync();
        var expected = log.Where(e => e.Fact.SubjectId == subject && e.Fact.Outcome == ProvisionOutcome.Provided && e.Fact.Recipient != Garage).ToList();
        Assert.Equal(2, expected.Count);

        var subjects = Client(Channel(Garage));
        var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.DiscloseProvisions, Records = { Key("SUB-R001") }, Verification = Verification() }, cancellationToken: Ct);
        var report = await subjects.GetProvisionReportAsync(new GetProvisionReportRequest { RequestId = opened.Id }, cancellationToken: Ct);

        Assert.Equal([subject], report.SubjectIds);
        Assert.Equal(expected.Select(e => (e.Sequence, e.EntryHash)), report.Provisions.Select(p => (p.Sequence, p.EntryHash)));
        var first = report.Provisions[0];
        Assert.Equal((Garage, GarageNameJa, Lotus, LotusNameJa, "marketing", 1, "provided"), (first.Provider, first.ProviderNameJa, first.Recipient, first.RecipientNameJa, first.Purpose, first.DeclarationVersion, first.Outcome));
        Assert.Equal(["contact.name", "contact.phone"], first.Items);
        Assert.Equal(["お名前", "お電話番号"], first.ItemNamesJa);
        Assert.Contains("案内", first.PurposeJa, StringComparison.Ordinal);
        Assert.Equal((Zao, ZaoNameJa, "vehicle.mileage"), (report.Provisions[1].Recipient, report.Provisions[1].RecipientNameJa, Assert.Single(report.Provisions[1].Items)));
        Assert.Equal([("own-use", "", 1L), ("received", "", 1L), ("refused", "item.not-granted", 1L)], report.Summary.Select(s => (s.Outcome, s.Rule, s.Count)));
        Assert.Equal(SubjectRequestStatus.Completed, (await subjects.GetRequestAsync(new GetRequestRequest { RequestId = opened.Id }, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Provision_report_carries_its_Japanese_document_a_disclosable_exceptional_provision_and_inclusion_proofs()
    {
        var subject = await PutAsync("SUB-D001");
        await ReadAsync(Channel(Lotus), "SUB-D001", "contact.name");
        var oversight = new Oversight.OversightClient(Channel("admin"));
        await oversight.RecordExceptionalProvisionAsync(new RecordExceptionalProvisionRequest { Records = { Key("SUB-D001") }, Items = { "contact.phone" }, Authority = "山形地方裁判所", LegalBasis = LegalBasis.LawsAndRegulations, DiscloseToSubject = true }, cancellationToken: Ct);
        await oversight.RecordExceptionalProvisionAsync(new RecordExceptionalProvisionRequest { Records = { Key("SUB-D001") }, Items = { "contact.address" }, Authority = "山形県警察 捜査第一課", LegalBasis = LegalBasis.LawsAndRegulations, DiscloseToSubject = false }, cancellationToken: Ct);
        await using (var scope = Hub.Services.CreateAsyncScope())
        {
            // What the tree checkpoint service signs each minute, signed now.
            await scope.ServiceProvider.GetRequiredService<Domain.Provisions.ProvisionTree>().CheckpointAsync(Ct);
        }

        var subjects = Client(Channel(Garage));
        var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.DiscloseProvisions, Records = { Key("SUB-D001") }, Verification = Verification() }, cancellationToken: Ct);
        var report = await subjects.GetProvisionReportAsync(new GetProvisionReportRequest { RequestId = opened.Id, WithProofs = true }, cancellationToken: Ct);

        Assert.Equal([("provided", ""), ("exceptional", "山形地方裁判所")], report.Provisions.Select(p => (p.Outcome, p.Authority)));
        Assert.Equal([subject], report.SubjectIds);
        Assert.StartsWith("<!DOCTYPE html>", report.DocumentHtml, StringComparison.Ordinal);
        Assert.Contains(LotusNameJa, report.DocumentHtml, StringComparison.Ordinal);
        Assert.Contains("山形地方裁判所", report.DocumentHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("捜査第一課", report.ToString(), StringComparison.Ordinal);

        // Each listed entry is in the tree the served checkpoint signs.
        var lines = report.Checkpoint.Split('\n');
        var (size, root) = (long.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), Convert.FromBase64String(lines[2]));
        Assert.Equal(report.Provisions.Select(p => p.Sequence), report.Proofs.Select(p => p.Sequence));
        foreach (var (provision, proof) in report.Provisions.Zip(report.Proofs))
        {
            var hashes = proof.Hashes.Select(Convert.FromBase64String).ToList();
            Assert.True(Domain.Provisions.MerkleTree.VerifyInclusion(provision.Sequence - 1, size, Domain.Provisions.MerkleTree.EntryLeafHash(provision.EntryHash), hashes, root), $"entry {provision.Sequence}");
            Assert.False(Domain.Provisions.MerkleTree.VerifyInclusion(provision.Sequence - 1, size, Domain.Provisions.MerkleTree.EntryLeafHash(new string('0', 64)), hashes, root));
        }

        var plain = await subjects.GetProvisionReportAsync(new GetProvisionReportRequest { RequestId = opened.Id, OmitDocument = true }, cancellationToken: Ct);
        Assert.Equal(("", ""), (plain.DocumentHtml, plain.Checkpoint));
        Assert.Empty(plain.Proofs);
    }

    [Fact]
    public async Task Held_data_shows_each_item_with_its_source_and_is_recorded_as_disclosed_to_the_person()
    {
        var subject = await PutAsync("SUB-H001");
        await new Records.RecordsClient(Channel(Garage)).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "SUB-H001", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);
        var subjects = Client(Channel(Lotus));
        var opened = await subjects.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.DiscloseHeldData, Records = { Key("SUB-H001") }, Verification = Verification() }, cancellationToken: Ct);

        HeldData held = null!;
        var entries = await Hub.EntriesDuringAsync(async () => held = await subjects.GetHeldDataAsync(new GetHeldDataRequest { RequestId = opened.Id }, cancellationToken: Ct));

        var record = Assert.Single(held.Records);
        Assert.Equal((subject, GarageNameJa, "023-672-0000"), (record.SubjectId, record.OwnerNameJa, record.Record.Contact.Phone));
        var phone = Assert.Single(record.Items, i => i.Item == "contact.phone");
        Assert.Equal(("お電話番号", Garage, ""), (phone.ItemNameJa, phone.SourceParty, phone.SourceAgent));
        Assert.NotNull(phone.LastChangedAt);
        Assert.Equal(["marketing"], record.OptedOutPurposes);
        var disclosed = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.DisclosedToSubject, Garage, Lotus, "subject-request", subject), (disclosed.Outcome, disclosed.Provider, disclosed.Recipient, disclosed.Purpose, disclosed.SubjectId));
        Assert.Equal(record.Items.Select(i => i.Item), disclosed.Items);
    }

    [Fact]
    public async Task Hostile_requests_get_precise_statuses_and_write_nothing()
    {
        var other = await NewGarageChannelAsync("garage-other");
        await new Records.RecordsClient(other).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("OTHER-1") }, cancellationToken: Ct);
        await PutAsync("SUB-X001");
        var garage = Client(Channel(Garage));
        var before = (await Hub.ReadAllAsync()).Count;
        var auditBefore = (await Hub.ReadAuditAsync()).Count;

        async Task<(StatusCode, string)> FailsAsync(Func<Task> call)
        {
            var e = await Refusals.FailsAsync(call);
            return (e.StatusCode, e.Status.Detail);
        }

        OpenRequestRequest Open(Action<OpenRequestRequest> change)
        {
            var request = new OpenRequestRequest { Kind = SubjectRequestKind.Deletion, Records = { Key("SUB-X001") }, Verification = Verification() };
            change(request);
            return request;
        }

        var cases = new (string Field, StatusCode Status, OpenRequestRequest Request)[]
        {
            ("kind", StatusCode.InvalidArgument, Open(r => r.Kind = (SubjectRequestKind)99)),
            ("kind", StatusCode.InvalidArgument, Open(r => r.Kind = SubjectRequestKind.Unspecified)),
            ("records", StatusCode.InvalidArgument, Open(r => r.Records.Clear())),
            ("records", StatusCode.InvalidArgument, Open(r => r.Records.AddRange(Enumerable.Range(0, 20).Select(i => Key($"SUB-Y{i:000}"))))),
            ("records[1]", StatusCode.InvalidArgument, Open(r => r.Records.Add(Key("SUB-X001")))),
            ("records[0].customer_ref", StatusCode.InvalidArgument, Open(r => r.Records[0].CustomerRef = new string('x', 10_000))),
            ("records[0].owner_party", StatusCode.InvalidArgument, Open(r => r.Records[0].OwnerParty = "Not A Party")),
            ("verification.verified_by", StatusCode.InvalidArgument, Open(r => r.Verification.VerifiedBy = new string('佐', 101))),
            ("verification.note", StatusCode.InvalidArgument, Open(r => r.Verification.Note = new string('a', 100_000))),
            ("verification.note", StatusCode.InvalidArgument, Open(r => r.Verification.Note = "\u202Eevil")),
            ("verification.method", StatusCode.InvalidArgument, Open(r => r.Verification.Method = (VerificationMethod)42)),
            ("verification.verified_at", StatusCode.InvalidArgument, Open(r => r.Verification.VerifiedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(2)))),
            ("correction", StatusCode.InvalidArgument, Open(r => r.Correction = new CustomerRecord { Contact = new CustomerContact { Phone = "1" } })),
            ("purposes", StatusCode.InvalidArgument, Open(r => r.Purposes.Add("marketing"))),
            ("purposes[0]", StatusCode.InvalidArgument, Open(r => { r.Kind = SubjectRequestKind.CessationOfProvision; r.Purposes.Add("no-such-purpose"); })),
            ("correction", StatusCode.InvalidArgument, Open(r => r.Kind = SubjectRequestKind.Correction)),
            ("garage-other", StatusCode.PermissionDenied, Open(r => r.Records[0] = new CustomerKey { OwnerParty = "garage-other", CustomerRef = "OTHER-1" })),
            ("SUB-NONE", StatusCode.NotFound, Open(r => r.Records[0] = Key("SUB-NONE"))),
        };
        foreach (var (field, status, request) in cases)
        {
            var (code, detail) = await FailsAsync(() => garage.OpenRequestAsync(request, cancellationToken: Ct).ResponseAsync);
            Assert.True((status, true) == (code, detail.Contains(field, StringComparison.Ordinal)), $"{field}: {code} {detail}");
        }

        var (longId, longIdDetail) = await FailsAsync(() => garage.GetRequestAsync(new GetRequestRequest { RequestId = "req_" + new string('0', 5000) }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, true), (longId, longIdDetail.Contains("request_id", StringComparison.Ordinal)));
        Assert.Equal(StatusCode.NotFound, (await FailsAsync(() => garage.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = "req_00" }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.InvalidArgument, (await FailsAsync(() => garage.ListRequestsAsync(new ListRequestsRequest { Limit = 1001 }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.InvalidArgument, (await FailsAsync(() => garage.ListRequestsAsync(new ListRequestsRequest { PageToken = "'; DROP TABLE" }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(before, (await Hub.ReadAllAsync()).Count);
        Assert.Equal(auditBefore, (await Hub.ReadAuditAsync()).Count);
        Assert.Empty((await Client(Channel("admin")).ListRequestsAsync(new ListRequestsRequest(), cancellationToken: Ct)).Requests);

        // A request of this garage's: another garage may neither read nor act on it, nor acknowledge it.
        var opened = await garage.OpenRequestAsync(Open(_ => { }), cancellationToken: Ct);
        var otherClient = Client(other);
        Assert.Equal(StatusCode.PermissionDenied, (await FailsAsync(() => otherClient.GetRequestAsync(new GetRequestRequest { RequestId = opened.Id }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.PermissionDenied, (await FailsAsync(() => otherClient.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Empty((await otherClient.ListRequestsAsync(new ListRequestsRequest(), cancellationToken: Ct)).Requests);
        Assert.Equal(StatusCode.PermissionDenied, (await FailsAsync(() => otherClient.AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = opened.Id, Outcome = PropagationOutcome.Applied }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.InvalidArgument, (await FailsAsync(() => Client(Channel(Lotus)).AcknowledgePropagationAsync(new AcknowledgePropagationRequest { RequestId = opened.Id, Outcome = PropagationOutcome.NotApplied }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.FailedPrecondition, (await FailsAsync(() => garage.GetHeldDataAsync(new GetHeldDataRequest { RequestId = opened.Id }, cancellationToken: Ct).ResponseAsync)).Item1);
        var refused = await garage.RefuseRequestAsync(new RefuseRequestRequest { RequestId = opened.Id, Ground = RefusalGround.WithdrawnByPerson, Reason = "本人が取り下げた" }, cancellationToken: Ct);
        Assert.Equal(SubjectRequestStatus.Refused, refused.Status);
        Assert.Equal(StatusCode.FailedPrecondition, (await FailsAsync(() => garage.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(StatusCode.FailedPrecondition, (await FailsAsync(() => garage.RecordVerificationAsync(new RecordVerificationRequest { RequestId = opened.Id, Verification = Verification() }, cancellationToken: Ct).ResponseAsync)).Item1);
        Assert.Equal(before, (await Hub.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Requests_are_listed_newest_first_in_pages_to_the_parties_that_may_read_them()
    {
        await PutAsync("SUB-L001");
        var garage = Client(Channel(Garage));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await garage.OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.DiscloseHeldData, Records = { Key("SUB-L001") } }, cancellationToken: Ct)).Id);
        }

        var lotusOpened = await Client(Channel(Lotus)).OpenRequestAsync(new OpenRequestRequest { Kind = SubjectRequestKind.DiscloseProvisions, Records = { Key("SUB-L001") } }, cancellationToken: Ct);
        var first = await garage.ListRequestsAsync(new ListRequestsRequest { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([lotusOpened.Id, ids[2]], first.Requests.Select(r => r.Id));
        var second = await garage.ListRequestsAsync(new ListRequestsRequest { Limit = 2, PageToken = first.NextPageToken }, cancellationToken: Ct);
        Assert.Equal([ids[1], ids[0]], second.Requests.Select(r => r.Id));
        Assert.Empty(second.NextPageToken);
        Assert.Equal(4, (await Client(Channel("admin")).ListRequestsAsync(new ListRequestsRequest { OwnerParty = Garage }, cancellationToken: Ct)).Requests.Count);
        Assert.Empty((await Client(Channel("vendor-broadleaf")).ListRequestsAsync(new ListRequestsRequest(), cancellationToken: Ct)).Requests);
    }

    private static Subjects.SubjectsClient Client(GrpcChannel channel) => new(channel);

    private IdentityVerification Verification() => new()
    {
        VerifiedBy = "受付 佐藤",
        Method = VerificationMethod.InPersonPhotoId,
        VerifiedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        Note = "運転免許証を確認（番号は控えない）",
    };

    private static CustomerKey Key(string customerRef) => new() { OwnerParty = Garage, CustomerRef = customerRef };

    private async Task<GrpcChannel> NewGroupBodyChannelAsync()
    {
        var admin = Channel("admin");
        await admin.AddPartyAsync(Zao, "group-body");
        var keys = Track(new PartnerKeys(Zao));
        var issued = await admin.IssueAsync(Zao, keys);
        return Channel(Track(keys.Certificate(issued.CertificatePem)));
    }

    private Task<string> PutAsync(string customerRef) => PutAsync(Sample.Customer(customerRef));

    private async Task<string> PutAsync(CustomerRecord record) =>
        (await new Records.RecordsClient(Channel(Garage)).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct)).SubjectId;

    private static Task ReadAsync(GrpcChannel channel, string customerRef, params string[] items) =>
        new Records.RecordsClient(channel).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customerRef, Items = { items } }, cancellationToken: Ct).ResponseAsync;

    // The first count events of the channel's feed that match, from its start.
    private static async Task<List<FeedEvent>> EventsAsync(GrpcChannel channel, int count, Func<FeedEvent, bool> match)
    {
        using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { AfterSequence = 0 }, cancellationToken: Ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        wait.CancelAfter(TimeSpan.FromSeconds(30));
        var found = new List<FeedEvent>();
        while (found.Count < count && await call.ResponseStream.MoveNext(wait.Token))
        {
            if (match(call.ResponseStream.Current))
            {
                found.Add(call.ResponseStream.Current);
            }
        }

        return found;
    }

    private static async Task<SubjectRequest> WaitForAsync(Subjects.SubjectsClient client, string requestId, Func<SubjectRequest, bool> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            var request = await client.GetRequestAsync(new GetRequestRequest { RequestId = requestId }, cancellationToken: Ct);
            if (condition(request))
            {
                return request;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"request {requestId} never reached the expected state");
    }
}

public sealed class SubjectsServiceOnSqliteTests() : SubjectsServiceTests(DatabaseProvider.Sqlite);

public sealed class SubjectsServiceOnPostgresTests() : SubjectsServiceTests(DatabaseProvider.Postgres);
