using Exchange.Host.Pki;
using Exchange.Host.Staff;
using Exchange.Domain.Parties;
using Exchange.Domain.Staff;
using Exchange.Storage;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Console;

/// <summary>Wires the operators' web console: staff accounts (Identity), sessions, pages and its listener.</summary>
internal static class HubConsole
{
    private const string Stylesheet = "/console/console.css";

    private const string Forbidden = "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>403</title><link rel=\"stylesheet\" href=\"/console/console.css\"></head>"
        + "<body><main><h1>403</h1><p>この画面はあなたの役割では開けません。<br><span class=\"en\">Your role does not allow this page.</span></p><p><a href=\"/console\">ホーム / Home</a></p></main></body></html>\n";

    /// <summary>Staff accounts with password, TOTP and lock-out; the console's session cookie; its pages.</summary>
    public static void AddHubConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.Listen is null || o.Listen.Scheme == Uri.UriSchemeHttps, "Exchange:Console:Listen must be an https:// address")
            .ValidateOnStart();
        services.AddSingleton<ConsoleListener>();
        services.AddIdentityCore<StaffAccount>(identity =>
            {
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                identity.Password.RequiredLength = 12;
                identity.User.RequireUniqueEmail = false;
            })
            .AddSignInManager<ConsoleSignInManager>()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>()
            .AddDefaultTokenProviders()
            .AddExchangeStaffStore();
        services.AddAuthentication()
            .AddCookie(StaffClaims.ConsoleScheme, cookie =>
            {
                Secure(cookie, "__Host-Exchange.Console");
                cookie.LoginPath = ConsoleEndpoint.Prefix + "/signin";
                cookie.LogoutPath = ConsoleEndpoint.Prefix + "/signout";
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = StaffSessionValidator.ValidateAsync;
                // A 403 in place, not a redirect: the page exists but is not this person's to open.
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    return context.Response.WriteAsync(Forbidden);
                };
            })
            .AddCookie(IdentityConstants.TwoFactorUserIdScheme, cookie =>
            {
                Secure(cookie, "__Host-Exchange.Console.2fa");
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            });
        services.AddOptions<CookieAuthenticationOptions>(StaffClaims.ConsoleScheme).Configure<IOptions<ConsoleOptions>>((cookie, console) => cookie.ExpireTimeSpan = console.Value.IdleTimeout);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleClaims.StaffPolicy, policy => policy.AddAuthenticationSchemes(StaffClaims.ConsoleScheme).RequireAuthenticatedUser().RequireClaim(StaffClaims.StaffId))
            .AddPolicy(ConsoleClaims.OperatorPolicy, policy => policy.AddAuthenticationSchemes(StaffClaims.ConsoleScheme).RequireClaim(ConsoleClaims.PartyRole, PartyRole.Administrator.ToWire()))
            .AddPolicy(ConsoleClaims.StaffAdministratorPolicy, policy => policy.AddAuthenticationSchemes(StaffClaims.ConsoleScheme).RequireAssertion(context =>
                context.User.HasClaim(ConsoleClaims.PartyRole, PartyRole.Administrator.ToWire()) || context.User.HasClaim(StaffClaims.Role, nameof(StaffRole.PartyAdministrator))));
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "__Host-Exchange.Antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(tempData =>
        {
            tempData.Cookie.Name = "__Host-Exchange.Console.Notice";
            tempData.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            tempData.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Console/Pages";
                pages.Conventions.AuthorizeFolder("/", ConsoleClaims.StaffPolicy);
                pages.Conventions.AllowAnonymousToPage("/SignIn");
                pages.Conventions.AllowAnonymousToPage("/SignInTotp");
            })
            // The pages live in this assembly, whichever assembly started the process (tests, the bench).
            .AddApplicationPart(typeof(HubConsole).Assembly)
            .AddMvcOptions(mvc => mvc.Filters.Add<SecondFactorFilter>());
        services.AddScoped<ConsoleCalls>();
        services.AddScoped<StaffAdministration>();
        services.AddHostedService<ConsoleBootstrap>();
    }

    /// <summary>The console's listener, when <see cref="ConsoleOptions.Listen"/> is set.</summary>
    public static void ListenConsole(this KestrelServerOptions kestrel)
    {
        var services = kestrel.ApplicationServices;
        if (services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Listen is { } listen)
        {
            ConsoleEndpoint.Listen(kestrel, HubApplication.ToEndPoint(listen), services.GetRequiredService<HubCertificates>().ServerCertificate, services.GetRequiredService<ConsoleListener>());
        }
    }

    /// <summary>The console's connection rules and headers, then sign-in and authorization.</summary>
    public static void UseHubConsole(this WebApplication app)
    {
        app.UseConsoleEndpoint();
        app.UseAuthentication();
        app.UseAuthorization();
    }

    /// <summary>The console's pages and stylesheet, and its address in the start-up log.</summary>
    public static void MapHubConsole(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet(Stylesheet, () => Results.Text(ConsoleStyles.Css, "text/css; charset=utf-8"));
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (app.Services.GetRequiredService<ConsoleListener>().Address is { } address)
            {
                ConsoleLog.Listening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Exchange.Host.Console"), address.ToString());
            }
        });
    }

    private static void Secure(CookieAuthenticationOptions cookie, string name)
    {
        cookie.Cookie.Name = name;
        cookie.Cookie.Path = "/";
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
    }
}
