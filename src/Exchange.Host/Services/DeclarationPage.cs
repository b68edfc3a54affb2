using System.Globalization;
using System.Net;
using System.Text;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;

namespace Exchange.Host.Services;

/// <summary>
/// The public text of the declaration (共同利用に関する公表事項): the version in force and every
/// version published, in Japanese and English, as a plain HTML page anyone can fetch.
/// </summary>
internal static class DeclarationPage
{
    public static async Task<IResult> RenderAsync(DeclarationRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var versions = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        var inForce = versions.Where(v => v.EffectiveAt <= now).MaxBy(v => v.Version);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>共同利用に関する公表事項 / Joint use of personal data</title></head><body>\n");
        if (inForce is null)
        {
            html.Append("<p>現在有効な公表事項はありません。 / No declaration is in force.</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<h1>個人データの共同利用について / Joint use of personal data</h1>\n<p id=\"in-force\">第{inForce.Version}版（{inForce.EffectiveAt:yyyy-MM-dd HH:mm} UTC より有効） / Version {inForce.Version}, in force since {inForce.EffectiveAt:O}. SHA-256: <code>{inForce.Hash}</code></p>\n");
            Render(html, inForce.Content);
        }

        html.Append("<h2>版の履歴 / Version history</h2>\n<table><tr><th>版 / Version</th><th>公表 / Published</th><th>有効 / Effective</th><th>SHA-256</th></tr>\n");
        foreach (var version in versions.OrderByDescending(v => v.Version))
        {
            var state = version.EffectiveAt > now ? " (予定 / upcoming)" : version == inForce ? " (現行 / in force)" : "";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{version.Version}{state}</td><td>{version.PublishedAt:O}</td><td>{version.EffectiveAt:O}</td><td><code>{version.Hash}</code></td></tr>\n");
        }

        html.Append("</table>\n</body></html>\n");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static void Render(StringBuilder html, DeclarationContent content)
    {
        html.Append("<h2>(1) 共同利用をする者 / Joint users</h2><ul>\n");
        foreach (var user in content.JointUsers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(user.Name.Ja)} / {E(user.Name.En)} — {E(user.Description?.Ja)} / {E(user.Description?.En)}</li>\n");
        }

        html.Append("</ul><h2>(2) 共同利用する個人データの項目 / Items</h2><ul>\n");
        foreach (var item in content.Items)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(item.Id)}</code> {E(item.Name.Ja)} / {E(item.Name.En)}</li>\n");
        }

        html.Append("</ul><h2>(3) 共同利用する目的 / Purposes</h2><ol>\n");
        foreach (var purpose in content.Purposes)
        {
            var optOut = purpose.OptOutAllowed ? "（利用停止のお申し出が可能 / you may opt out）" : "（利用停止の対象外 / cannot be opted out of）";
            html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(purpose.Id)}</code> {E(purpose.Description.Ja)} / {E(purpose.Description.En)} {optOut}</li>\n");
        }

        var m = content.Manager;
        html.Append(CultureInfo.InvariantCulture, $"</ol><h2>(4) 管理について責任を有する者 / Person responsible for management</h2><p>{E(m.Name.Ja)} / {E(m.Name.En)}<br>{E(m.Address.Ja)} / {E(m.Address.En)}<br>{E(m.Representative.Ja)} / {E(m.Representative.En)}</p>\n");
        if (content.Scope is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(content.Scope.Ja)}</p><p>{E(content.Scope.En)}</p>\n");
        }
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
