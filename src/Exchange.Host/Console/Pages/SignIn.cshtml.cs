using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Exchange.Host.Console.Pages;

/// <summary>Password sign-in; a person with a second factor continues at <see cref="SignInTotpModel"/>.</summary>
internal sealed class SignInModel(SignInManager<StaffAccount> signIn, StaffAdministration staff, ILogger<SignInModel> logger) : PageModel
{
    [BindProperty]
    public string SignInName { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await signIn.PasswordSignInAsync(SignInName, Password, isPersistent: false, lockoutOnFailure: true).ConfigureAwait(false);
        if (result.RequiresTwoFactor)
        {
            return Redirect(ConsoleEndpoint.Prefix + "/signin/totp");
        }

        if (result.Succeeded && await signIn.UserManager.FindByNameAsync(SignInName).ConfigureAwait(false) is { } account)
        {
            await SignInRecorder.RecordAsync(staff, logger, account, HttpContext.RequestAborted).ConfigureAwait(false);
            return Redirect(ConsoleEndpoint.Prefix);
        }

        ViewData["Error"] = SignInRecorder.Refusal(result, logger);
        return Page();
    }
}
