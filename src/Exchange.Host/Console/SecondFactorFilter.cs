using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Exchange.Host.Console;

/// <summary>Operators without a second factor are sent to enrolment before any other page.</summary>
internal sealed class SecondFactorFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HttpContext.Items.TryGetValue(ConsoleClaims.NeedsSecondFactorItem, out var needs) && needs is true
            && !context.HandlerInstance.GetType().IsDefined(typeof(RequiresNoSecondFactorAttribute), inherit: false))
        {
            context.Result = new RedirectResult(ConsoleEndpoint.Prefix + "/enrol");
            return Task.CompletedTask;
        }

        return next();
    }
}
