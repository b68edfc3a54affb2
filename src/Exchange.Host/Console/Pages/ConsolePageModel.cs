using Exchange.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Exchange.Host.Console.Pages;

/// <summary>What every console page does: act as the signed-in person and show a refusal in both languages.</summary>
internal abstract class ConsolePageModel(ConsoleCalls calls) : PageModel
{
    /// <summary>Runs <paramref name="action"/> for the person's party; a refusal is shown on the page, success after a redirect.</summary>
    protected async Task<IActionResult> ActAsync(Func<CallContext, CancellationToken, Task<string>> action, Func<Task> reload)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(reload);
        try
        {
            var call = await calls.CreateAsync(User, HttpContext.RequestAborted).ConfigureAwait(false);
            TempData["Done"] = await action(call, HttpContext.RequestAborted).ConfigureAwait(false);
            return RedirectToPage();
        }
        catch (ExchangeException refused)
        {
            ViewData["Error"] = "操作は拒否されました / Refused: " + refused.Message;
            await reload().ConfigureAwait(false);
            return Page();
        }
    }

    /// <summary>The call context of the signed-in person.</summary>
    protected Task<CallContext> CallAsync() => calls.CreateAsync(User, HttpContext.RequestAborted);
}
