using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Exchange.Host.Staff;

namespace Exchange.Host.Console.Pages;

/// <summary>The second step: a TOTP code from the person's authenticator app (failures count toward lock-out).</summary>
internal sealed class SignInTotpModel(SignInManager<StaffAccount> signIn, StaffAdministration staff, ILogger<SignInTotpModel> logger) : PageModel
{
    [BindProperty]
    public string Code { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync().ConfigureAwait(false) is null ? Redirect(ConsoleEndpoint.Prefix + "/signin") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var account = await signIn.GetTwoFactorAuthenticationUserAsync().ConfigureAwait(false);
        if (account is null)
        {
            return Redirect(ConsoleEndpoint.Prefix + "/signin");
        }

        var result = await signIn.TwoFactorAuthenticatorSignInAsync(Code.Replace(" ", "", StringComparison.Ordinal), isPersistent: false, rememberClient: false).ConfigureAwait(false);
        if (result.Succeeded)
        {
            await SignInRecorder.RecordAsync(staff, logger, account, HttpContext.RequestAborted).ConfigureAwait(false);
            return SignInRecorder.Onward(this, ReturnUrl);
        }

        if (result.IsLockedOut)
        {
            ConsoleLog.LockedOut(logger, account.Id);
        }

        ViewData["Error"] = SignInRecorder.Refusal(result, logger);
        return Page();
    }
}
