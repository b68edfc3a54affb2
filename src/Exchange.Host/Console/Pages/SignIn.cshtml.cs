using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Exchange.Host.Staff;

namespace Exchange.Host.Console.Pages;

/// <summary>Password sign-in; a person with a second factor continues at <see cref="SignInTotpModel"/>.</summary>
internal sealed class SignInModel(SignInManager<StaffAccount> signIn, StaffAdministration staff, ILogger<SignInModel> logger) : PageModel
{
    [BindProperty]
    public string SignInName { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    /// <summary>Where the person was going (a console page, or the token service's authorization endpoint); only local addresses are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await signIn.PasswordSignInAsync(SignInName, Password, isPersistent: false, lockoutOnFailure: true).ConfigureAwait(false);
        if (result.RequiresTwoFactor)
        {
            return Redirect(ConsoleEndpoint.Prefix + "/signin/totp" + (ReturnUrl is { Length: > 0 } ? "?ReturnUrl=" + Uri.EscapeDataString(ReturnUrl) : ""));
        }

        if (result.Succeeded && await signIn.UserManager.FindByNameAsync(SignInName).ConfigureAwait(false) is { } account)
        {
            await SignInRecorder.RecordAsync(staff, logger, account, HttpContext.RequestAborted).ConfigureAwait(false);
            return SignInRecorder.Onward(this, ReturnUrl);
        }

        ViewData["Error"] = SignInRecorder.Refusal(result, logger);
        return Page();
    }
}
