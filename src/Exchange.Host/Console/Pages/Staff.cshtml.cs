using Exchange.Domain;
using Exchange.Domain.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Exchange.Host.Staff;

namespace Exchange.Host.Console.Pages;

/// <summary>Staff accounts: operators manage every party's, a party administrator their own party's (<see cref="StaffAdministration"/> checks).</summary>
[Authorize(Policy = ConsoleClaims.StaffAdministratorPolicy)]
internal sealed class StaffModel(ConsoleCalls calls, StaffAdministration staff) : ConsolePageModel(calls)
{
    public IReadOnlyList<StaffAccount> Accounts { get; private set; } = [];

    public StaffAdministration.Created? Created { get; private set; }

    public string OwnParty { get; private set; } = "";

    [BindProperty]
    public string StaffId { get; set; } = "";

    [BindProperty]
    public string PartyId { get; set; } = "";

    [BindProperty]
    public string SignInName { get; set; } = "";

    [BindProperty]
    public string DisplayName { get; set; } = "";

    [BindProperty]
    public StaffRole Role { get; set; }

    public Task OnGetAsync() => LoadAsync();

    // Not through ActAsync's redirect: the one-time password is shown once, on this answer only.
    public async Task<IActionResult> OnPostCreateAsync()
    {
        try
        {
            Created = await staff.CreateAsync(await CallAsync().ConfigureAwait(false), PartyId, SignInName, DisplayName, Role, HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (ExchangeException refused)
        {
            ViewData["Error"] = "操作は拒否されました / Refused: " + refused.Message;
        }

        await LoadAsync().ConfigureAwait(false);
        return Page();
    }

    public Task<IActionResult> OnPostDisableAsync() =>
        ActAsync(async (call, ct) => $"無効にしました / Disabled {(await staff.DisableAsync(call, StaffId, ct).ConfigureAwait(false)).Id}", LoadAsync);

    public Task<IActionResult> OnPostEnableAsync() =>
        ActAsync(async (call, ct) => $"有効にしました / Enabled {(await staff.EnableAsync(call, StaffId, ct).ConfigureAwait(false)).Id}", LoadAsync);

    public Task<IActionResult> OnPostResetSecondFactorAsync() =>
        ActAsync(async (call, ct) => $"二要素を再設定しました / Reset the second factor of {(await staff.ResetSecondFactorAsync(call, StaffId, ct).ConfigureAwait(false)).Id}", LoadAsync);

    private async Task LoadAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        OwnParty = call.Caller.Id;
        Accounts = await staff.ListAsync(call, null, HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
