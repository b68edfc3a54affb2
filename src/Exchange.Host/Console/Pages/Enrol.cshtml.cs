using Exchange.Domain.Staff;
using Exchange.Host.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Exchange.Host.Console.Pages;

/// <summary>Enrols an authenticator app (TOTP): shows the key and its otpauth:// URI, enables the second factor on a correct code.</summary>
[RequiresNoSecondFactor]
internal sealed class EnrolModel(SignInManager<StaffAccount> signIn, StaffAdministration staff) : PageModel
{
    public string Key { get; private set; } = "";

    public string Uri { get; private set; } = "";

    [BindProperty]
    public string Code { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        var account = await AccountAsync().ConfigureAwait(false);
        if (account.TwoFactorEnabled)
        {
            return Redirect(ConsoleEndpoint.Prefix);
        }

        await ShowKeyAsync(account).ConfigureAwait(false);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var account = await AccountAsync().ConfigureAwait(false);
        var users = signIn.UserManager;
        if (!await users.VerifyTwoFactorTokenAsync(account, users.Options.Tokens.AuthenticatorTokenProvider, Code.Replace(" ", "", StringComparison.Ordinal)).ConfigureAwait(false))
        {
            ViewData["Error"] = "コードが正しくありません。 / The code is not right.";
            await ShowKeyAsync(account).ConfigureAwait(false);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(account, true).ConfigureAwait(false);
        // Enabling changed the security stamp: without a fresh cookie the session would end at the next request.
        await signIn.RefreshSignInAsync(account).ConfigureAwait(false);
        await staff.RecordOwnAsync(account, StaffAuditActions.SecondFactorEnrolled, HttpContext.RequestAborted).ConfigureAwait(false);
        return Redirect(ConsoleEndpoint.Prefix);
    }

    private async Task<StaffAccount> AccountAsync() =>
        await signIn.UserManager.FindByIdAsync(User.FindFirst(StaffClaims.StaffId)!.Value).ConfigureAwait(false)
        ?? throw new InvalidOperationException("the session's account is gone");

    private async Task ShowKeyAsync(StaffAccount account)
    {
        var users = signIn.UserManager;
        var key = await users.GetAuthenticatorKeyAsync(account).ConfigureAwait(false);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(account).ConfigureAwait(false);
            // Resetting the key changed the security stamp: keep this session.
            await signIn.RefreshSignInAsync(account).ConfigureAwait(false);
            key = await users.GetAuthenticatorKeyAsync(account).ConfigureAwait(false) ?? "";
        }

        Key = key;
        // The label names the staff ID, not the person: the URI may end up in a phone's backup.
        Uri = $"otpauth://totp/Exchange:{account.Id}?secret={key}&issuer=Exchange&digits=6&period=30";
    }
}
