using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Tests.Configuration;

/// <summary>
/// The declaration's settings checked on start: outside the Development environment the body that
/// runs the hub must be named, and the notice period may not be under a day.
/// </summary>
public sealed class DeclarationSettingsTests
{
    // Outside Development the hub also needs the transparency log's key as a file of its own.
    private static readonly Lazy<string> TreeLogKeyFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), "exchange-tree-log-" + Guid.NewGuid().ToString("N")[..12] + ".key");
        using var key = Domain.Provisions.NoteKey.Create("exchange.local/provision-log");
        File.WriteAllText(path, key.SignerKey() + "\n");
        return path;
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Operator() => new()
    {
        ["Exchange:TreeLog:KeyFile"] = TreeLogKeyFile.Value,
        ["Exchange:Declaration:Manager:NameJa"] = "一般社団法人 整備情報交換機構",
        ["Exchange:Declaration:Manager:NameEn"] = "Garage Data Exchange Organisation",
        ["Exchange:Declaration:Manager:AddressJa"] = "〒100-0001 東京都千代田区千代田 1-1",
        ["Exchange:Declaration:Manager:AddressEn"] = "1-1 Chiyoda, Chiyoda-ku, Tokyo 100-0001, Japan",
        ["Exchange:Declaration:Manager:RepresentativeJa"] = "代表理事 佐藤 花子",
        ["Exchange:Declaration:Manager:RepresentativeEn"] = "Hanako Sato, Representative Director",
        ["Exchange:Declaration:Inquiry:NameJa"] = "個人情報お問い合わせ窓口",
        ["Exchange:Declaration:Inquiry:NameEn"] = "Personal information inquiries",
        ["Exchange:Declaration:Inquiry:Phone"] = "03-0000-0000",
        ["Exchange:Declaration:Inquiry:Email"] = "privacy@exchange.example",
    };

    [Fact]
    public async Task Outside_development_the_hub_refuses_to_start_without_the_manager_and_inquiry_contact_configured()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(environment: "Production"));

        Assert.Contains("Exchange:Declaration:Manager:NameJa, NameEn, AddressJa, AddressEn, RepresentativeJa and RepresentativeEn must all be set outside the Development environment (environment Production)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Exchange:Declaration:Inquiry needs NameJa and NameEn, and Phone, Email or AddressJa with AddressEn outside the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    public async Task Outside_development_a_notice_period_under_one_day_is_refused_at_start(string days)
    {
        var settings = Operator();
        settings["Exchange:DeclarationNoticeDays"] = days;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(settings: settings, environment: "Staging"));

        Assert.Equal($"Exchange:DeclarationNoticeDays must be at least 1 outside the Development environment (it is {days}; environment Staging): persons must be able to read a declaration before it applies.", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Configured_operator_is_the_responsible_manager_of_the_shipped_declaration_and_names_the_joint_users()
    {
        var settings = Operator();
        settings["Exchange:Declaration:GroupBodyPartyIds:0"] = "group-lotus";
        settings["Exchange:Declaration:VendorPartyIds:0"] = "vendor-broadleaf";
        settings["Exchange:Declaration:VendorPartyIds:1"] = "vendor-broadleaf-cloud";
        await using var hub = await TestHub.StartAsync(settings: settings, environment: "Production");

        using var channel = hub.Channel("vendor-broadleaf");
        var shipped = await new Declarations.DeclarationsClient(channel).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);

        Assert.Equal(("一般社団法人 整備情報交換機構", "Garage Data Exchange Organisation"), (shipped.Content.Manager.Name.Ja, shipped.Content.Manager.Name.En));
        Assert.Equal("代表理事 佐藤 花子", shipped.Content.Manager.Representative.Ja);
        Assert.Equal(("個人情報お問い合わせ窓口", "03-0000-0000", "privacy@exchange.example"), (shipped.Content.Inquiry.Name.Ja, shipped.Content.Inquiry.Phone, shipped.Content.Inquiry.Email));
        Assert.Equal([[], ["group-lotus"], ["vendor-broadleaf", "vendor-broadleaf-cloud"]], shipped.Content.JointUsers.Select(u => u.PartyIds.ToArray()));
        Assert.DoesNotContain("上山オート", shipped.Content.Manager.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Logs.Entries, e => e.Event.Id == 2007);
    }

    [Fact]
    public async Task In_development_the_shipped_declaration_names_a_marked_placeholder_says_so_in_the_log_and_any_notice_period_is_accepted()
    {
        await using var hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:DeclarationNoticeDays"] = "0" });

        using var channel = hub.Channel("admin");
        var shipped = await new Declarations.DeclarationsClient(channel).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);

        Assert.Contains("開発用", shipped.Content.Manager.Name.Ja, StringComparison.Ordinal);
        Assert.Contains("development placeholder", shipped.Content.Manager.Name.En, StringComparison.Ordinal);
        Assert.DoesNotContain("上山オート", shipped.Content.Manager.ToString(), StringComparison.Ordinal);
        Assert.Contains(hub.Logs.Entries, e => e.Event.Id == 2007);
    }
}
