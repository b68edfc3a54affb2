using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Exchange.Host.Console.Pages;

/// <summary>Ends the session (POST only, with the antiforgery token).</summary>
[RequiresNoSecondFactor]
internal sealed class SignOutModel(SignInManager<StaffAccount> signIn) : PageModel
{
    public IActionResult OnGet() => Redirect(ConsoleEndpoint.Prefix);

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync().ConfigureAwait(false);
        return Redirect(ConsoleEndpoint.Prefix + "/signin");
    }
}
