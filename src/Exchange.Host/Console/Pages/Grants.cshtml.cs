using Exchange.Domain.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>The grants: set and remove (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class GrantsModel(ConsoleCalls calls, GrantRegistry registry) : ConsolePageModel(calls)
{
    public IReadOnlyList<Grant> Grants { get; private set; } = [];

    [BindProperty]
    public GrantSubjectKind Kind { get; set; }

    [BindProperty]
    public string Subject { get; set; } = "";

    [BindProperty]
    public string Purpose { get; set; } = "";

    [BindProperty]
    public string Items { get; set; } = "";

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostSetAsync() =>
        ActAsync(
            async (call, ct) =>
            {
                var items = Items.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                var set = await registry.SetAsync(call, new Grant(Kind, Subject.Trim(), Purpose.Trim(), items), ct).ConfigureAwait(false);
                return $"設定しました / Set {set.Subject} {set.Purpose}";
            },
            LoadAsync);

    public Task<IActionResult> OnPostRemoveAsync() =>
        ActAsync(async (call, ct) => await registry.RemoveAsync(call, Kind, Subject, Purpose, ct).ConfigureAwait(false) ? $"削除しました / Removed {Subject} {Purpose}" : "ありませんでした / There was no such grant", LoadAsync);

    private async Task LoadAsync() =>
        Grants = await registry.ListAsync(await CallAsync().ConfigureAwait(false), HttpContext.RequestAborted).ConfigureAwait(false);
}
