using Exchange.Contracts.V1;
using Exchange.Domain.Records;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Exchange.Storage;

namespace Exchange.Host.Tests.Services;

/// <summary>The joint-use scenarios over real mTLS with the development parties, each checked against the provision log.</summary>
public abstract class RecordsServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const string Broadleaf = "vendor-broadleaf";
    private readonly List<GrpcChannel> _channels = [];
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _hub = await TestHub.StartAsync(provider: provider);

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private Records.RecordsClient As(string party)
    {
        var channel = _hub.Channel(party);
        _channels.Add(channel);
        return new Records.RecordsClient(channel);
    }

    private async Task WriteCustomersAsync(params CustomerRecord[] records)
    {
        var garage = As(Garage);
        foreach (var record in records)
        {
            await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
        }
    }

    private static GetCustomerRequest Get(string purpose, string customerRef, params string[] items)
    {
        var request = new GetCustomerRequest { Purpose = purpose, OwnerParty = Garage, CustomerRef = customerRef };
        request.Items.AddRange(items);
        return request;
    }

    [Fact]
    public async Task Garage_write_is_stored_and_recorded_as_received_under_the_declaration_in_force()
    {
        var garage = As(Garage);

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var first = await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
            Assert.True(first.Created);
            Assert.StartsWith("sub_", first.SubjectId, StringComparison.Ordinal);
            var again = await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
            Assert.False(again.Created);
            Assert.Equal(first.SubjectId, again.SubjectId);
        });

        Assert.Equal(2, entries.Count);
        var entry = entries[0];
        Assert.Equal(ProvisionOutcome.Received, entry.Outcome);
        Assert.Equal((Garage, "hub", "after-sales", 1), (entry.Provider, entry.Recipient, entry.Purpose, entry.DeclarationVersion));
        Assert.Equal(64, entry.DeclarationHash.Length);
        Assert.Contains("contact.phone", entry.Items);
        Assert.Contains("cost.billed_amount", entry.Items);
        Assert.DoesNotContain("contact.fax", entry.Items);

        var read = await garage.GetCustomerAsync(Get("after-sales", "C001", "contact", "vehicle", "repair", "cost"), cancellationToken: Ct);
        Assert.Equal(Sample.Customer("C001").Contact, read.Record.Contact);
        Assert.Equal(Garage, read.Record.OwnerParty);
    }

    [Fact]
    public async Task Group_body_reads_contact_for_marketing_and_receives_only_the_granted_fields()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        GetCustomerResponse? reply = null;
        var entries = await _hub.EntriesDuringAsync(async () => reply = await As(Lotus).GetCustomerAsync(Get("marketing", "C001", "contact"), cancellationToken: Ct));

        var contact = reply!.Record.Contact;
        Assert.Equal("山田 太郎 C001", contact.Name);
        Assert.Equal("023-672-0000", contact.Phone);
        Assert.Equal("山形県", contact.Address.Prefecture);
        Assert.Equal(ReplacementHorizon.Within1Year, contact.ReplacementIntent.Horizon);
        Assert.Null(contact.BirthDate);
        Assert.Empty(contact.Family);
        Assert.Equal(Gender.Unspecified, contact.Gender);
        Assert.Equal(Occupation.Unspecified, contact.Occupation);
        Assert.Empty(reply.Record.Vehicles);
        Assert.Empty(reply.Record.Repairs);
        string[] expected = ["contact.address", "contact.email", "contact.name", "contact.phone", "contact.replacement_intent"];
        Assert.Equal(expected, reply.Items);

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Provided, Garage, Lotus, "marketing"), (entry.Outcome, entry.Provider, entry.Recipient, entry.Purpose));
        Assert.Equal(expected, entry.Items);
    }

    [Fact]
    public async Task Explicitly_requesting_an_item_not_granted_is_refused_naming_the_rule()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Lotus).GetCustomerAsync(Get("marketing", "C001", "contact.name", "contact.birth_date"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("item.not-granted", error.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("contact.birth_date", error.Status.Detail, StringComparison.Ordinal);
        });

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "item.not-granted"), (entry.Outcome, entry.Rule));
    }

    [Fact]
    public async Task Person_who_opted_out_of_marketing_is_left_out_of_marketing_but_reached_by_recall()
    {
        await _hub.AllowGroupBodyRecallAsync();
        await WriteCustomersAsync(Sample.Customer("C001"), Sample.Customer("C002"), Sample.Customer("C003"));
        var optOut = await As(Garage).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "C002", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);
        var lotus = As(Lotus);

        var marketing = new List<SearchCustomersResponse>();
        var marketingEntries = await _hub.EntriesDuringAsync(async () =>
        {
            using var call = lotus.SearchCustomers(new SearchCustomersRequest { Purpose = "marketing", Items = { "contact" } }, cancellationToken: Ct);
            marketing.AddRange(await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct));
        });

        Assert.Equal(["C001", "C003"], marketing.Select(m => m.Record.CustomerRef));
        Assert.Equal(2, marketingEntries.Count);
        Assert.DoesNotContain(marketingEntries, e => e.SubjectId == optOut.SubjectId);

        var direct = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => lotus.GetCustomerAsync(Get("marketing", "C002", "contact"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("person.opted-out", error.Status.Detail, StringComparison.Ordinal);
        });
        Assert.Equal((ProvisionOutcome.Refused, "person.opted-out", optOut.SubjectId), (direct.Single().Outcome, direct.Single().Rule, direct.Single().SubjectId));

        var recall = new List<SearchCustomersResponse>();
        var recallEntries = await _hub.EntriesDuringAsync(async () =>
        {
            using var call = lotus.SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact", "vehicle" }, ModelCodes = { "DAA-ZVW30" } }, cancellationToken: Ct);
            recall.AddRange(await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct));
        });

        Assert.Equal(["C001", "C002", "C003"], recall.Select(r => r.Record.CustomerRef));
        Assert.Equal("ZVW30-C002", recall[1].Record.Vehicles[0].InspectionCertificate.ChassisNumber);
        Assert.Equal(0, recall[1].Record.Vehicles[0].MileageKm);
        Assert.Equal(3, recallEntries.Count);
        Assert.Contains(recallEntries, e => e.SubjectId == optOut.SubjectId && e.Purpose == "recall" && e.Outcome == ProvisionOutcome.Provided);
    }

    [Fact]
    public async Task Search_naming_more_model_codes_than_it_may_is_refused_and_records_nothing()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));
        var request = new SearchCustomersRequest { Purpose = "recall", Items = { "contact" } };
        request.ModelCodes.AddRange(Enumerable.Range(0, 1001).Select(i => $"DAA-M{i}"));

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            using var call = As(Lotus).SearchCustomers(request, cancellationToken: Ct);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct).AsTask());
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("at most 1000 model codes, not 1001", error.Status.Detail, StringComparison.Ordinal);
        });

        Assert.Empty(entries);
    }

    [Fact]
    public async Task Recall_cannot_be_opted_out_of()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        var error = await Assert.ThrowsAsync<RpcException>(() => As(Garage).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "C001", Purpose = "recall", OptedOut = true }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Vendor_asking_for_marketing_contact_data_is_refused_naming_the_rule()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Broadleaf).GetCustomerAsync(Get("marketing", "C001", "contact"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("rule purpose.not-granted", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("purpose.not-granted", error.Trailers.GetValue("exchange-rule"));
        });

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "purpose.not-granted", Garage, Broadleaf), (entry.Outcome, entry.Rule, entry.Provider, entry.Recipient));
        Assert.NotNull(entry.SubjectId);
    }

    [Theory]
    [InlineData("resale", StatusCode.PermissionDenied, "purpose.undeclared")]
    [InlineData("", StatusCode.InvalidArgument, "purpose.missing")]
    public async Task Undeclared_or_missing_purpose_is_refused_and_recorded(string purpose, StatusCode code, string rule)
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Lotus).GetCustomerAsync(Get(purpose, "C001", "contact"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(code, error.StatusCode);
            Assert.Contains(rule, error.Status.Detail, StringComparison.Ordinal);
        });

        Assert.Equal(rule, Assert.Single(entries).Rule);
    }

    [Fact]
    public async Task Statistics_over_fewer_than_k_persons_are_refused_and_larger_groups_are_aggregated()
    {
        await WriteCustomersAsync([.. Enumerable.Range(1, 9).Select(i => Sample.Customer($"C{i:000}"))]);
        var lotus = As(Lotus);
        var request = new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.ModelCode };

        var refused = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => lotus.QueryStatisticsAsync(request, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("statistics.below-k", error.Status.Detail, StringComparison.Ordinal);
        });
        Assert.Equal((ProvisionOutcome.Refused, "statistics.below-k", null), (refused.Single().Outcome, refused.Single().Rule, refused.Single().SubjectId));

        await WriteCustomersAsync([.. Enumerable.Range(10, 3).Select(i => Sample.Customer($"C{i:000}")), Sample.Customer("C900", modelCode: "DBA-RARE1")]);
        StatisticsResponse? stats = null;
        var provided = await _hub.EntriesDuringAsync(async () => stats = await lotus.QueryStatisticsAsync(request, cancellationToken: Ct));

        // 12 persons with 12 vehicles billed ¥648,000, and 1 suppressed of 13: released rounded (counts to k, amounts to ¥100,000).
        var group = Assert.Single(stats!.Groups);
        Assert.Equal(("DAA-ZVW30", 10L, 10L, 600_000L), (group.Key, group.Persons, group.Vehicles, group.BilledAmountYen));
        Assert.Equal(0, stats.SuppressedPersons);
        Assert.Equal(10, stats.TotalPersons);
        Assert.Equal(10, stats.K);
        var entry = Assert.Single(provided);
        Assert.Equal((ProvisionOutcome.Provided, null, "statistics"), (entry.Outcome, entry.SubjectId, entry.Purpose));
    }

    [Fact]
    public async Task Statistics_cover_more_persons_than_a_statement_has_parameters_and_leave_out_those_who_opted_out()
    {
        // SQLite binds at most 32,766 parameters; the persons are never passed as a list of them.
        const int Persons = 33_000;
        var garage = As(Garage);
        for (var first = 0; first < Persons; first += CustomerRecords.MaxBatch)
        {
            var batch = new PutCustomersRequest { Purpose = "after-sales" };
            batch.Records.AddRange(Enumerable.Range(first, Math.Min(CustomerRecords.MaxBatch, Persons - first)).Select(i => Sample.Customer($"C{i:00000}", prefecture: i % 2 == 0 ? "山形県" : "宮城県")));
            await garage.PutCustomersAsync(batch, cancellationToken: Ct);
        }

        await garage.SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "C00000", Purpose = "statistics", OptedOut = true }, cancellationToken: Ct);

        var stats = await As(Lotus).QueryStatisticsAsync(new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.Prefecture }, cancellationToken: Ct);

        // Released rounded: 16,499 persons show as 16,500, but their ¥890,946,000 as ¥890,900,000, not the ¥891,000,000 of 16,500.
        Assert.Equal(Persons, stats.TotalPersons);
        Assert.Equal(
            [("宮城県", Persons / 2L, 891_000_000L), ("山形県", Persons / 2L, 890_900_000L)],
            stats.Groups.Select(g => (g.Key, g.Persons, g.BilledAmountYen)).OrderBy(g => g.Key, StringComparer.Ordinal));

        var otherGarage = new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.Prefecture, OwnerParty = "garage-elsewhere" };
        var error = await Assert.ThrowsAsync<RpcException>(() => As(Lotus).QueryStatisticsAsync(otherGarage, cancellationToken: Ct).ResponseAsync);
        Assert.Contains("describe 0 persons", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statistics_read_person_by_person_is_refused()
    {
        await WriteCustomersAsync(Sample.Customer("C001"));

        var error = await Assert.ThrowsAsync<RpcException>(() => As(Lotus).GetCustomerAsync(Get("statistics", "C001", "vehicle"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("statistics.aggregate-only", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_with_an_unknown_field_stores_nothing_and_is_recorded_as_refused()
    {
        // A partner built against a newer schema (or crafting bytes) sends field 99 inside contact.
        var known = Sample.Customer("C777");
        var contactBytes = known.Contact.ToByteArray().Concat(new byte[] { 0x98, 0x06, 0x01 }).ToArray();
        var withUnknown = known.Clone();
        withUnknown.Contact = CustomerContact.Parser.ParseFrom(contactBytes);
        var garage = As(Garage);

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = withUnknown }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("fields the schema does not define", error.Status.Detail, StringComparison.Ordinal);
        });

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "record.refused"), (entry.Outcome, entry.Rule));
        var missing = await Assert.ThrowsAsync<RpcException>(() => garage.GetCustomerAsync(Get("after-sales", "C777", "contact"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Free_text_carrying_sensitive_data_is_refused_and_stores_nothing()
    {
        var record = Sample.Customer("C555");
        record.Repairs[0].Work[0].Description = "オイル交換。お客様の病歴: 糖尿病";
        var garage = As(Garage);

        var error = await Assert.ThrowsAsync<RpcException>(() => garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("repairs.work.description", error.Status.Detail, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<RpcException>(() => garage.GetCustomerAsync(Get("after-sales", "C555", "contact"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Vendor_cannot_write_for_a_garage_without_its_authorisation()
    {
        var record = Sample.Customer("C321");
        record.OwnerParty = Garage;

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Broadleaf).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("vendor.not-authorised", error.Status.Detail, StringComparison.Ordinal);
        });

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "vendor.not-authorised", Garage, Broadleaf), (entry.Outcome, entry.Rule, entry.Provider, entry.Agent));
    }

    private static PutCustomersRequest Batch(params CustomerRecord[] records)
    {
        var request = new PutCustomersRequest { Purpose = "after-sales" };
        request.Records.AddRange(records);
        return request;
    }

    [Fact]
    public async Task Batch_write_stores_every_record_with_one_received_entry_per_person()
    {
        var garage = As(Garage);
        await WriteCustomersAsync(Sample.Customer("B002"));

        PutCustomersResponse? reply = null;
        var entries = await _hub.EntriesDuringAsync(async () => reply = await garage.PutCustomersAsync(Batch(Sample.Customer("B001"), Sample.Customer("B002"), Sample.Customer("B003")), cancellationToken: Ct));

        Assert.Equal(["B001", "B002", "B003"], reply!.Results.Select(r => r.CustomerRef));
        Assert.Equal([true, false, true], reply.Results.Select(r => r.Created));
        Assert.Equal(1, reply.DeclarationVersion);
        Assert.Equal(reply.Results.Select(r => r.SubjectId), entries.Select(e => e.SubjectId));
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Received, Garage, "hub"), (e.Outcome, e.Provider, e.Recipient)));
        Assert.Single(entries.Select(e => e.CallId).Distinct());
        foreach (var customerRef in new[] { "B001", "B002", "B003" })
        {
            var read = await garage.GetCustomerAsync(Get("after-sales", customerRef, "contact"), cancellationToken: Ct);
            Assert.Equal($"{customerRef}@example.jp", read.Record.Contact.Email);
        }
    }

    [Fact]
    public async Task Replacing_a_record_in_a_batch_replaces_what_recall_searches_find()
    {
        await _hub.AllowGroupBodyRecallAsync();
        var garage = As(Garage);
        await garage.PutCustomersAsync(Batch(Sample.Customer("B001", modelCode: "DAA-ZVW30"), Sample.Customer("B002", modelCode: "DAA-ZVW30")), cancellationToken: Ct);

        var reply = await garage.PutCustomersAsync(Batch(Sample.Customer("B002", modelCode: "DBA-NCP91"), Sample.Customer("B003", modelCode: "DBA-NCP91")), cancellationToken: Ct);

        Assert.Equal([false, true], reply.Results.Select(r => r.Created));
        Assert.Equal(["B001"], await RecallSearchAsync("DAA-ZVW30"));
        Assert.Equal(["B002", "B003"], await RecallSearchAsync("DBA-NCP91"));
    }

    private async Task<List<string>> RecallSearchAsync(string modelCode)
    {
        using var call = As(Lotus).SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact" }, ModelCodes = { modelCode } }, cancellationToken: Ct);
        var found = new List<string>();
        while (await call.ResponseStream.MoveNext(Ct))
        {
            found.Add(call.ResponseStream.Current.Record.CustomerRef);
        }

        return found.Order(StringComparer.Ordinal).ToList();
    }

    public static TheoryData<string, string> RefusedBatches => new()
    {
        { "sensitive", "records[1]: repairs.work.description appears to hold sensitive personal data" },
        { "duplicate", "records[2]: customer_ref 'B001' appears twice in the batch" },
        { "two-garages", "records[1]: owner_party 'garage-other' differs from the first record's 'garage-kaminoyama'" },
    };

    [Theory]
    [MemberData(nameof(RefusedBatches))]
    public async Task Batch_with_one_refused_record_stores_none_and_records_a_refusal_for_each_person(string fault, string message)
    {
        var records = new[] { Sample.Customer("B001"), Sample.Customer("B002"), Sample.Customer("B003") };
        switch (fault)
        {
            case "sensitive":
                records[1].Repairs[0].Work[0].Description = "通院中のため送迎希望";
                break;
            case "duplicate":
                records[2].CustomerRef = "B001";
                break;
            default:
                records[1].OwnerParty = "garage-other";
                break;
        }

        var garage = As(Garage);
        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => garage.PutCustomersAsync(Batch(records), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith(message, error.Status.Detail, StringComparison.Ordinal);
            Assert.EndsWith("nothing was stored (rule record.refused)", error.Status.Detail, StringComparison.Ordinal);
        });

        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Refused, "record.refused"), (e.Outcome, e.Rule)));
        foreach (var customerRef in new[] { "B001", "B002", "B003" })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => garage.GetCustomerAsync(Get("after-sales", customerRef, "contact"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Batch_of_no_records_or_too_many_is_refused_before_anything_is_read(int count)
    {
        var records = Enumerable.Range(0, count).Select(i => new CustomerRecord { CustomerRef = $"N{i}" }).ToArray();

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Garage).PutCustomersAsync(Batch(records), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal($"a batch holds 1 to 1000 records, not {count} (rule request.too-large)", error.Status.Detail);
        });

        Assert.Empty(entries);
    }

    [Fact]
    public async Task Vendor_batch_without_the_garage_authorisation_is_refused_for_each_person()
    {
        var records = new[] { Sample.Customer("B001"), Sample.Customer("B002") };
        foreach (var record in records)
        {
            record.OwnerParty = Garage;
        }

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => As(Broadleaf).PutCustomersAsync(Batch(records), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        });

        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((ProvisionOutcome.Refused, "vendor.not-authorised", Garage, Broadleaf), (e.Outcome, e.Rule, e.Provider, e.Agent)));
    }
}

/// <summary>The joint-use scenarios on SQLite.</summary>
public sealed class RecordsServiceOnSqliteTests() : RecordsServiceTests(DatabaseProvider.Sqlite);

/// <summary>The joint-use scenarios on PostgreSQL.</summary>
public sealed class RecordsServiceOnPostgresTests() : RecordsServiceTests(DatabaseProvider.Postgres);
