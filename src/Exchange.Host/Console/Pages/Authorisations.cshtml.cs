using Exchange.Domain.Parties;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>Vendor authorisations: operators every garage's, garage staff their own (the registry checks which).</summary>
internal sealed class AuthorisationsModel(ConsoleCalls calls, PartnerRegistry registry) : ConsolePageModel(calls)
{
    public IReadOnlyList<RecordedAuthorisation> Authorisations { get; private set; } = [];

    public string OwnGarage { get; private set; } = "";

    [BindProperty]
    public long AuthorisationId { get; set; }

    [BindProperty]
    public string? GarageId { get; set; }

    [BindProperty]
    public string VendorId { get; set; } = "";

    [BindProperty]
    public List<string> Operations { get; set; } = [];

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostGrantAsync() =>
        ActAsync(async (call, ct) => $"委任しました / Authorised ({(await registry.GrantAsync(call, new AuthorisationGrant(GarageId, VendorId, Operations, null, null), ct).ConfigureAwait(false)).Id})", LoadAsync);

    public Task<IActionResult> OnPostRevokeAsync() =>
        ActAsync(async (call, ct) => $"取り消しました / Revoked ({(await registry.RevokeAuthorisationAsync(call, AuthorisationId, ct).ConfigureAwait(false)).Id})", LoadAsync);

    private async Task LoadAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        OwnGarage = call.Caller.Role == PartyRole.MemberGarage ? call.Caller.Id : "";
        var garage = call.Caller.Role == PartyRole.MemberGarage ? call.Caller.Id : null;
        var vendor = call.Caller.Role == PartyRole.Vendor ? call.Caller.Id : null;
        Authorisations = await registry.ListAuthorisationsAsync(call, garage, vendor, includeEnded: true, HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
