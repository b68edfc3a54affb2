using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Microsoft.AspNetCore.DataProtection.Infrastructure;
using Microsoft.Playwright;

namespace Exchange.Host.Tests.Console;

/// <summary>
/// Two hub instances on one database, installed in different folders, behind one address as a load
/// balancer would put them: a person signed in through one instance's console is signed in at the other.
/// </summary>
public sealed class ConsoleAcrossInstancesTests
{
    private const string Password = "Correct horse battery 7";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_person_signed_in_through_one_instance_is_signed_in_at_the_other_and_can_sign_out_there(DatabaseProvider provider)
    {
        await using var first = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Console:Listen"] = "https://127.0.0.1:0" }, provider: provider);
        await using var second = await TestHub.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Exchange:Console:Listen"] = "https://127.0.0.1:0",
                ["Exchange:DataDirectory"] = Path.Combine(first.Directory, "data"),
                ["Exchange:Pki:DevelopmentDirectory"] = first.CertificateDirectory,
                ["Exchange:Database:Provider"] = provider.ToString(),
                ["Exchange:Database:ConnectionString"] = first.PostgresConnectionString,
            },
            // Installed in another folder, which Data Protection would otherwise tell the applications apart by.
            configure: builder => builder.Services.AddSingleton<IApplicationDiscriminator, InstalledElsewhere>());
        await using var browser = await ConsoleBrowser.LaunchAsync(first);
        var page = await browser.NewPageAsync();
        var staffId = await browser.CreateStaffAsync("garage-kaminoyama", "yamada", Password);
        await browser.SignInAsync(page, "yamada", Password);
        var atSecond = second.ConsoleAddress!.GetLeftPart(UriPartial.Authority);

        await page.GotoAsync(atSecond + "/console");

        await Assertions.Expect(page).ToHaveURLAsync(atSecond + "/console");
        Assert.Equal(staffId, (await page.InnerTextAsync("#session code")).Trim());

        // The sign-out form the first instance rendered, with its antiforgery token, posted to the second
        // (as a request of the browser's, with its cookies: the console's CSP keeps forms on their own origin).
        await page.GotoAsync(browser.Url("/console"));
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", await page.GetAttributeAsync("header form input[name=__RequestVerificationToken]", "value") ?? "");
        var signedOut = await page.Context.APIRequest.PostAsync(atSecond + "/console/signout", new() { Form = form, MaxRedirects = 0, IgnoreHTTPSErrors = true });

        Assert.Equal(302, signedOut.Status);
        Assert.Equal("/console/signin", signedOut.Headers["location"]);
        Assert.Equal(1, await first.ExecuteSqlAsync("UPDATE data_protection_keys SET friendly_name = friendly_name"));
    }

    private sealed class InstalledElsewhere : IApplicationDiscriminator
    {
        public string Discriminator => "/opt/exchange-second";
    }
}
