using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class SubjectCommandsTests : CliScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string GroupBody = "group-lotus";

    private static readonly string[] Verified = ["--verified-by", "受付 佐藤", "--method", "in-person-photo-id", "--note", "運転免許証"];

    [Fact]
    public async Task A_garage_erases_a_record_in_one_go_and_the_partner_that_received_it_acknowledges()
    {
        await GarageWritesAsync("CLI-E001");
        await GroupBodyReadsAsync("CLI-E001");

        var erased = (await RunAsAsync(Garage, ["subject", "erase", "CLI-E001", .. Verified])).Expect(0);
        var id = erased.Field("id");
        var listed = (await RunAsAsync(Garage, "subject", "requests")).Expect(0);
        var acknowledged = (await RunAsAsync(GroupBody, "subject", "ack", id)).Expect(0);
        var after = (await RunAsAsync(Garage, "subject", "requests", "--status", "completed")).Expect(0);

        Assert.Equal(("deletion", "propagating", $"{Garage}:CLI-E001", $"{GroupBody} pending"), (erased.Field("kind"), erased.Field("status"), erased.Field("records"), erased.Field("propagations")));
        Assert.StartsWith("in-person-photo-id by 受付 佐藤", erased.Field("verified"), StringComparison.Ordinal);
        var row = Assert.Single(listed.Out.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["deletion", "propagating"], row[1..3]);
        Assert.Equal("0/1", row[^1]);
        Assert.Equal(("applied", GroupBody), (acknowledged.Field("outcome"), acknowledged.Field("partner")));
        Assert.Contains(id, after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_opened_without_a_verification_is_verified_and_executed_in_later_steps()
    {
        await GarageWritesAsync("CLI-S001");

        var opened = (await RunAsAsync(Garage, "subject", "stop", "CLI-S001", "--purpose", "marketing")).Expect(0);
        var id = opened.Field("id");
        var verified = (await RunAsAsync(Garage, ["subject", "verify", id, "--verified-by", "受付 佐藤", "--method", "post-to-registered-address"])).Expect(0);
        var executed = (await RunAsAsync(Garage, "subject", "execute", id)).Expect(0);

        Assert.Equal(("cessation-of-provision", "received", "no"), (opened.Field("kind"), opened.Field("status"), opened.Field("verified")));
        Assert.Contains($"exchange subject verify {id}", opened.Error, StringComparison.Ordinal);
        Assert.Equal("verified", verified.Field("status"));
        Assert.Equal(("completed", "none"), (executed.Field("status"), executed.Field("propagations")));
    }

    [Fact]
    public async Task The_report_prints_the_provisions_with_legal_names_as_JSON()
    {
        await GarageWritesAsync("CLI-R001");
        await GroupBodyReadsAsync("CLI-R001");
        var id = (await RunAsAsync(Garage, ["subject", "open", "disclose-provisions", "CLI-R001", .. Verified])).Expect(0).Field("id");

        var report = (await RunAsAsync(Garage, "subject", "report", id)).Expect(0);

        Assert.Contains("\"recipientNameJa\": \"株式会社ロータス（全日本ロータス同友会）\"", report.Out, StringComparison.Ordinal);
        Assert.Contains("\"itemNamesJa\": [\n        \"お名前\"\n      ]", report.Out.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_is_written_as_a_Japanese_document_to_hand_to_the_person()
    {
        await GarageWritesAsync("CLI-R002");
        await GroupBodyReadsAsync("CLI-R002");
        var id = (await RunAsAsync(Garage, ["subject", "open", "disclose-provisions", "CLI-R002", .. Verified])).Expect(0).Field("id");

        var written = (await RunAsAsync(Garage, "subject", "report", id, "--html", "report.html")).Expect(0);
        var html = await File.ReadAllTextAsync(InWorkingDirectory("report.html"), Ct);

        Assert.Contains("wrote the report of 1 provision(s)", written.Error, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("第三者提供記録の開示", html, StringComparison.Ordinal);
        Assert.Contains("株式会社ロータス（全日本ロータス同友会）", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_correction_is_read_from_a_JSON_file_and_applied()
    {
        await GarageWritesAsync("CLI-K001");
        await File.WriteAllTextAsync(InWorkingDirectory("correction.json"), "{\"contact\":{\"phone\":\"023-672-9999\"}}", Ct);

        var corrected = (await RunAsAsync(Garage, ["subject", "correct", "CLI-K001", "--correction", "correction.json", .. Verified])).Expect(0);

        Assert.Equal(("correction", "completed"), (corrected.Field("kind"), corrected.Field("status")));
        using var channel = Hub.Channel(Garage);
        var stored = await new Records.RecordsClient(channel).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "CLI-K001", Items = { "contact.phone" } }, cancellationToken: Ct);
        Assert.Equal("023-672-9999", stored.Record.Contact.Phone);
    }

    [Fact]
    public async Task Another_garage_s_record_is_refused_by_the_hub()
    {
        var run = (await RunAsAsync(Garage, ["subject", "erase", "OTHER-1", "--owner", "garage-other", .. Verified])).Expect(ExitCodes.Refused);

        Assert.Contains("PERMISSION_DENIED", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("subject", "erase", "C1", "--verified-by", "佐藤")]
    [InlineData("subject", "open", "forget-me", "C1")]
    [InlineData("subject", "erase", "C1", "--verified-by", "佐藤", "--method", "telepathy")]
    [InlineData("subject", "ack", "req_1", "--not-applied", "because")]
    public async Task Bad_usage_is_refused_before_calling_the_hub(params string[] args)
    {
        (await RunAsync([.. args, "--hub", "https://127.0.0.1:1"])).Expect(ExitCodes.Usage);
    }

    private async Task GarageWritesAsync(string customerRef)
    {
        using var channel = Hub.Channel(Garage);
        await new Records.RecordsClient(channel).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct);
    }

    private async Task GroupBodyReadsAsync(string customerRef)
    {
        using var channel = Hub.Channel(GroupBody);
        await new Records.RecordsClient(channel).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customerRef, Items = { "contact.name" } }, cancellationToken: Ct);
    }
}
