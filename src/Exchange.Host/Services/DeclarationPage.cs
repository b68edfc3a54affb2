using System.Globalization;
using System.Net;
using System.Text;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;

namespace Exchange.Host.Services;

/// <summary>
/// The public text of the declaration (共同利用に関する公表事項), in Japanese and English, as a plain
/// HTML page anyone can fetch: the version in force, every version under notice (published, not yet
/// in force) with its effective time, and every past version, each in full with its inquiry contact.
/// </summary>
internal static class DeclarationPage
{
    public static async Task<IResult> RenderAsync(DeclarationRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var notice = PublicNotice.Of(await registry.ListAsync(cancellationToken).ConfigureAwait(false), time.GetUtcNow());
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>共同利用に関する公表事項 / Joint use of personal data</title></head><body>\n");
        html.Append("<h1>個人データの共同利用について / Joint use of personal data</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>機械可読版 / Machine-readable: <code>{PublicEndpoint.DeclarationJsonPath}</code></p>\n");
        if (notice.InForce is { } inForce)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section id=\"in-force\"><p>第{inForce.Version}版（{inForce.EffectiveAt:yyyy-MM-dd HH:mm} UTC より有効） / Version {inForce.Version}, in force since {inForce.EffectiveAt:O}. SHA-256: <code>{inForce.Hash}</code></p>\n");
            Render(html, inForce.Content);
            html.Append("</section>\n");
        }
        else
        {
            html.Append("<p>現在有効な公表事項はありません。 / No declaration is in force.</p>\n");
        }

        foreach (var upcoming in notice.Upcoming)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section id=\"upcoming-{upcoming.Version}\"><h2>予告中の変更 / Under notice: 第{upcoming.Version}版 / version {upcoming.Version}</h2>\n<p>{upcoming.PublishedAt:yyyy-MM-dd HH:mm} UTC 公表、{upcoming.EffectiveAt:yyyy-MM-dd HH:mm} UTC より有効 / Published {upcoming.PublishedAt:O}, takes effect {upcoming.EffectiveAt:O}. SHA-256: <code>{upcoming.Hash}</code></p>\n");
            Render(html, upcoming.Content);
            html.Append("</section>\n");
        }

        html.Append("<h2>版の履歴 / Version history</h2>\n<table><tr><th>版 / Version</th><th>公表 / Published</th><th>有効 / Effective</th><th>SHA-256</th></tr>\n");
        foreach (var version in notice.All.OrderByDescending(v => v.Version))
        {
            var state = notice.StateOf(version) switch
            {
                PublicNotice.UpcomingState => " (予定 / upcoming)",
                PublicNotice.InForceState => " (現行 / in force)",
                _ => " (過去 / past)",
            };
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{version.Version}{state}</td><td>{version.PublishedAt:O}</td><td>{version.EffectiveAt:O}</td><td><code>{version.Hash}</code></td></tr>\n");
        }

        html.Append("</table>\n");
        foreach (var past in notice.Past)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section id=\"past-{past.Version}\"><h2>過去の版 / Past version: 第{past.Version}版 / version {past.Version}</h2>\n<p>{past.EffectiveAt:yyyy-MM-dd HH:mm} UTC から {notice.EndOf(past):yyyy-MM-dd HH:mm} UTC まで有効 / In force from {past.EffectiveAt:O} until {notice.EndOf(past):O}. SHA-256: <code>{past.Hash}</code></p>\n");
            Render(html, past.Content);
            html.Append("</section>\n");
        }

        html.Append("</body></html>\n");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static void Render(StringBuilder html, DeclarationContent content)
    {
        html.Append("<h3>(1) 共同利用をする者 / Joint users</h3><ul>\n");
        foreach (var user in content.JointUsers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(user.Name?.Ja)} / {E(user.Name?.En)} — {E(user.Description?.Ja)} / {E(user.Description?.En)}</li>\n");
        }

        html.Append("</ul><h3>(2) 共同利用する個人データの項目 / Items</h3><ul>\n");
        foreach (var item in content.Items)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(item.Id)}</code> {E(item.Name?.Ja)} / {E(item.Name?.En)}</li>\n");
        }

        html.Append("</ul><h3>(3) 共同利用する目的 / Purposes</h3><ol>\n");
        foreach (var purpose in content.Purposes)
        {
            var optOut = purpose.OptOutAllowed ? "（利用停止のお申し出が可能 / you may opt out）" : "（利用停止の対象外 / cannot be opted out of）";
            html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(purpose.Id)}</code> {E(purpose.Description?.Ja)} / {E(purpose.Description?.En)} {optOut}</li>\n");
        }

        var m = content.Manager;
        html.Append(CultureInfo.InvariantCulture, $"</ol><h3>(4) 管理について責任を有する者 / Person responsible for management</h3><p>{E(m?.Name?.Ja)} / {E(m?.Name?.En)}<br>{E(m?.Address?.Ja)} / {E(m?.Address?.En)}<br>{E(m?.Representative?.Ja)} / {E(m?.Representative?.En)}</p>\n");
        if (content.Scope is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(content.Scope.Ja)}</p><p>{E(content.Scope.En)}</p>\n");
        }

        html.Append("<h3>お問い合わせ窓口 / Inquiries</h3>");
        if (content.Inquiry is { } inquiry)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"inquiry\">{E(inquiry.Name?.Ja)} / {E(inquiry.Name?.En)}");
            if (!string.IsNullOrEmpty(inquiry.Address?.Ja) || !string.IsNullOrEmpty(inquiry.Address?.En))
            {
                html.Append(CultureInfo.InvariantCulture, $"<br>(所在地 / Address) {E(inquiry.Address?.Ja)} / {E(inquiry.Address?.En)}");
            }

            if (!string.IsNullOrEmpty(inquiry.Phone))
            {
                html.Append(CultureInfo.InvariantCulture, $"<br>電話番号 / Telephone: {E(inquiry.Phone)}");
            }

            if (!string.IsNullOrEmpty(inquiry.Email))
            {
                html.Append(CultureInfo.InvariantCulture, $"<br>メール / Email: {E(inquiry.Email)}");
            }

            html.Append("</p>\n");
        }
        else
        {
            html.Append("<p>この版には記載がありません。 / This version names none.</p>\n");
        }
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
