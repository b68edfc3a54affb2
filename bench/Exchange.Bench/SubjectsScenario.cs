using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Bench;

/// <summary>What the persons'-rights scenario measured.</summary>
/// <param name="Entries">Provision-log entries the incident's party received, appended through the store.</param>
/// <param name="Persons">Persons among them.</param>
/// <param name="ScopeSeconds">Time of the GetIncidentScope call over them.</param>
/// <param name="Records">Expired customer records loaded through the store.</param>
/// <param name="DisposalSeconds">Time of the RunRetention call that disposed of them.</param>
internal sealed record SubjectsRun(long Entries, long Persons, double ScopeSeconds, long Records, double DisposalSeconds)
{
    public double DisposedPerSecond => Records / DisposalSeconds;
}

/// <summary>
/// The operator's side of persons' rights at size: the scope of an incident over
/// <see cref="BenchOptions.IncidentEntries"/> provision-log entries received by one party, and a
/// retention run disposing of <see cref="BenchOptions.DisposalRecords"/> expired customer records
/// (loaded through the store as last changed two days ago; the bench hub keeps records one day).
/// </summary>
internal static class SubjectsScenario
{
    /// <summary>The party the incident concerns: a vendor no other scenario calls as.</summary>
    public const string IncidentParty = "vendor-broadleaf";

    private const int Batch = 10_000;
    private const int PersonsPerEntry = 10;

    public static async Task<SubjectsRun> RunAsync(BenchHub hub, BenchOptions options)
    {
        var admin = new Oversight.OversightClient(hub.CreateChannel(BenchHub.Administrator));
        var from = hub.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        await AppendReceiptsAsync(hub, options.IncidentEntries).ConfigureAwait(false);
        Report.Line($"  persons' rights: {options.IncidentEntries:N0} entries received by {IncidentParty} appended through the store in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");

        started = Stopwatch.GetTimestamp();
        var scope = await admin.GetIncidentScopeAsync(new GetIncidentScopeRequest { Party = IncidentParty, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(1)) }, deadline: DateTime.UtcNow.AddMinutes(10)).ConfigureAwait(false);
        var scopeSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (scope.Provisions != options.IncidentEntries)
        {
            throw new InvalidOperationException($"The scope counted {scope.Provisions} provisions, not {options.IncidentEntries}.");
        }

        started = Stopwatch.GetTimestamp();
        await LoadExpiredAsync(hub, options.DisposalRecords).ConfigureAwait(false);
        Report.Line($"  persons' rights: {options.DisposalRecords:N0} expired customer records loaded through the store in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");
        started = Stopwatch.GetTimestamp();
        var run = await admin.RunRetentionAsync(new RunRetentionRequest(), deadline: DateTime.UtcNow.AddMinutes(30)).ConfigureAwait(false);
        var disposalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var disposed = run.Disposed.Single(d => d.Kind == "customer-record").Count;
        if (disposed != options.DisposalRecords)
        {
            throw new InvalidOperationException($"The run disposed of {disposed} records, not {options.DisposalRecords}.");
        }

        return new SubjectsRun(options.IncidentEntries, scope.Persons, scopeSeconds, disposed, disposalSeconds);
    }

    /// <summary>Persons whose provision report is timed on the filled log.</summary>
    public const int ReportedPersons = 50;

    /// <summary>
    /// One person's provision report (the data and the Japanese document, one GetProvisionReport
    /// call) on a log <see cref="ProvisionLogFiller"/> filled: for each of <see cref="ReportedPersons"/>
    /// persons whose entries it holds, their garage record is written and a verified request opened,
    /// then the report alone is timed.
    /// </summary>
    public static async Task<LatencyHistogram> ReportsAsync(BenchHub hub, long logEntries)
    {
        var persons = Math.Max(1, logEntries / 10);
        var garage = hub.CreateChannel();
        var records = new Records.RecordsClient(garage);
        var subjects = new Subjects.SubjectsClient(garage);
        var latency = new LatencyHistogram();
        for (var i = 0; i < ReportedPersons; i++)
        {
            var customerRef = ProvisionLogFiller.CustomerRefOf(i * (persons / ReportedPersons), persons);
            await records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = new CustomerRecord { CustomerRef = customerRef, Contact = new CustomerContact { Name = $"報告 花子 {i}" } } }).ConfigureAwait(false);
            var opened = await subjects.OpenRequestAsync(new OpenRequestRequest
            {
                Kind = SubjectRequestKind.DiscloseProvisions,
                Records = { new CustomerKey { OwnerParty = BenchHub.Garage, CustomerRef = customerRef } },
                Verification = new IdentityVerification { VerifiedBy = "窓口 佐藤", Method = VerificationMethod.InPersonPhotoId, VerifiedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)) },
            }).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var report = await subjects.GetProvisionReportAsync(new GetProvisionReportRequest { RequestId = opened.Id }).ConfigureAwait(false);
            latency.Record(started);
            if (report.Provisions.Count == 0 || report.DocumentHtml.Length == 0)
            {
                throw new InvalidOperationException($"The report of {customerRef} lists no provisions.");
            }
        }

        return latency;
    }

    // PROVIDED entries to the incident's party, about one person in ten entries, a transaction per batch.
    private static async Task AppendReceiptsAsync(BenchHub hub, int entries)
    {
        var pseudonyms = hub.Services.GetRequiredService<SubjectPseudonyms>();
        var time = hub.Services.GetRequiredService<TimeProvider>();
        for (var first = 0; first < entries; first += Batch)
        {
            var facts = Enumerable.Range(first, Math.Min(Batch, entries - first)).Select(i => new ProvisionFact(
                time.GetUtcNow(), BenchHub.Garage, IncidentParty, null, pseudonyms.SubjectOf(BenchHub.Garage, $"INCIDENT-{i / PersonsPerEntry:D7}"), ["contact.name", "contact.phone"], "after-sales", 1, new string('0', 64),
                "call_" + i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), ProvisionOutcome.Provided, null)).ToList();
            await using var scope = hub.Services.CreateAsyncScope();
            var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(facts, ct), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task LoadExpiredAsync(BenchHub hub, int records)
    {
        var pseudonyms = hub.Services.GetRequiredService<SubjectPseudonyms>();
        var lastChanged = hub.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-2);
        for (var first = 0; first < records; first += Batch)
        {
            var batch = Enumerable.Range(first, Math.Min(Batch, records - first)).Select(i =>
            {
                var record = new CustomerRecord { OwnerParty = BenchHub.Garage, CustomerRef = $"EXPIRED-{i:D7}", Contact = new CustomerContact { Name = $"期限 太郎 {i}", Address = new PostalAddress { Prefecture = "山形県" } } };
                return new StoredCustomer(pseudonyms.SubjectOf(BenchHub.Garage, record.CustomerRef), record, record.ToByteArray(), lastChanged);
            }).ToList();
            await using var scope = hub.Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => store.UpsertAsync(batch, ct), CancellationToken.None).ConfigureAwait(false);
        }
    }
}
