using Exchange.Domain.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Exchange.Host.Staff;

namespace Exchange.Host.Console.Pages;

/// <summary>The audit record and log line of a sign-in, and the words of a refusal (the same for every cause but lock-out, so as not to tell which names exist).</summary>
internal static class SignInRecorder
{
    public static async Task RecordAsync(StaffAdministration staff, ILogger logger, StaffAccount account, CancellationToken cancellationToken)
    {
        await staff.RecordOwnAsync(account, StaffAuditActions.SignedIn, cancellationToken).ConfigureAwait(false);
        ConsoleLog.SignedIn(logger, account.Id, account.PartyId);
    }

    /// <summary>On to where the person was going when it is on this site (no open redirect), else the console's home.</summary>
    public static Microsoft.AspNetCore.Mvc.IActionResult Onward(PageModel page, string? returnUrl) =>
        page.Url.IsLocalUrl(returnUrl) ? new Microsoft.AspNetCore.Mvc.LocalRedirectResult(returnUrl) : new Microsoft.AspNetCore.Mvc.RedirectResult(ConsoleEndpoint.Prefix);

    public static string Refusal(SignInResult result, ILogger logger)
    {
        ConsoleLog.SignInRefused(logger, result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed (disabled, or party not active)" : "wrong credentials");
        return result.IsLockedOut
            ? "失敗が続いたため一時的にロックされています。 / Locked out for a while after repeated failures."
            : "サインインできません。 / Sign-in failed.";
    }
}
