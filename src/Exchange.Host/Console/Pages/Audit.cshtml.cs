using Exchange.Domain.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>The hub's audit log, newest first, with the staff ID beside the party (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class AuditModel(ConsoleCalls calls, HubAuditTrail trail) : ConsolePageModel(calls)
{
    private const int PageSize = 200;

    public IReadOnlyList<RecordedAuditEvent> Events { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "prefix")]
    public string? ActionPrefix { get; set; }

    [BindProperty(SupportsGet = true, Name = "subject")]
    public string? Subject { get; set; }

    public async Task OnGetAsync()
    {
        var query = new AuditQuery(string.IsNullOrWhiteSpace(Subject) ? null : Subject, string.IsNullOrWhiteSpace(ActionPrefix) ? null : ActionPrefix, PageSize, null);
        Events = await trail.ListAsync(await CallAsync().ConfigureAwait(false), query, HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
