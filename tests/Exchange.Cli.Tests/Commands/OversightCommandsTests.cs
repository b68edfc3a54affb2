using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class OversightCommandsTests : CliScenario
{
    private const string Garage = "garage-kaminoyama";

    [Fact]
    public async Task An_administrator_records_an_exceptional_provision_and_sees_it_listed()
    {
        await GarageWritesAsync("EXC-CLI-1", "EXC-CLI-2");

        var recorded = (await RunAsAsync("admin", "exceptional", "record", "--record", $"{Garage}/EXC-CLI-1", "--record", $"{Garage}/EXC-CLI-2", "--item", "contact.name", "--authority", "山形地方裁判所", "--basis", "laws-and-regulations", "--particulars", "令和8年(モ)第12号")).Expect(0);
        var list = (await RunAsAsync("admin", "exceptional", "list")).Expect(0);

        Assert.Equal("山形地方裁判所", recorded.Field("authority"));
        Assert.Equal("laws-and-regulations", recorded.Field("legal basis"));
        Assert.Equal("2", recorded.Field("persons"));
        Assert.Equal("no", recorded.Field("shown to the persons"));
        Assert.Contains(list.Out.Split('\n'), l => l.StartsWith(recorded.Field("id"), StringComparison.Ordinal) && l.Contains("山形地方裁判所", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_basis_or_record_is_a_usage_error_and_a_garage_is_refused()
    {
        (await RunAsAsync("admin", "exceptional", "record", "--record", $"{Garage}/X", "--item", "contact.name", "--authority", "裁判所", "--basis", "because")).Expect(ExitCodes.Usage);
        (await RunAsAsync("admin", "exceptional", "record", "--record", "no-slash", "--item", "contact.name", "--authority", "裁判所", "--basis", "laws-and-regulations")).Expect(ExitCodes.Usage);
        (await RunAsAsync("admin", "exceptional", "record", "--record", $"{Garage}/NO-SUCH", "--item", "contact.name", "--authority", "裁判所", "--basis", "laws-and-regulations")).Expect(ExitCodes.NotFound);
        (await RunAsAsync(Garage, "retention", "run", "--dry-run")).Expect(ExitCodes.Refused);
    }

    [Fact]
    public async Task A_dry_retention_run_counts_each_kind_and_is_listed_among_the_runs()
    {
        var run = (await RunAsAsync("admin", "retention", "run", "--dry-run")).Expect(0);
        var runs = (await RunAsAsync("admin", "retention", "runs")).Expect(0);

        var kinds = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.Equal(["customer-record", "withdrawn-garage-record", "provision-log-subject", "subject-request"], kinds);
        Assert.Contains("dry run", run.Error, StringComparison.Ordinal);
        var id = run.Error.Split(' ')[1];
        Assert.Contains(runs.Out.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Incident_scope_counts_the_persons_a_party_received_by_item()
    {
        await GarageWritesAsync("INC-CLI-1");
        var from = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        using (var channel = Hub.Channel(Garage))
        {
            await new Records.RecordsClient(channel).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "INC-CLI-1", Items = { "contact.name" } }, cancellationToken: Ct);
        }

        var scope = (await RunAsAsync("admin", "incident", "scope", Garage, "--from", from)).Expect(0);
        var persons = (await RunAsAsync("admin", "incident", "scope", Garage, "--from", from, "--persons")).Expect(0);

        var row = Assert.Single(scope.Out.Split('\n'), l => l.StartsWith("contact.name", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["contact.name", "お名前", "1", "1", "no"], row);
        Assert.Contains("1 person(s) in 1 provision(s)", scope.Error, StringComparison.Ordinal);
        Assert.Contains(persons.Out.Split('\n'), l => l.Contains(Garage, StringComparison.Ordinal) && l.Contains("INC-CLI-1", StringComparison.Ordinal));
    }

    private async Task GarageWritesAsync(params string[] customerRefs)
    {
        using var channel = Hub.Channel(Garage);
        var records = new Records.RecordsClient(channel);
        foreach (var customerRef in customerRefs)
        {
            await records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct);
        }
    }
}
