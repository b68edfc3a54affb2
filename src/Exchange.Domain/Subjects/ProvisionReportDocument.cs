using System.Globalization;
using System.Net;
using System.Text;
using Exchange.Contracts.V1;

namespace Exchange.Domain.Subjects;

/// <summary>
/// A person's provision-record report (第三者提供記録の開示) as a document they can be handed: one
/// self-contained Japanese HTML page, printable on A4, with no script and nothing fetched from
/// elsewhere (its content security policy forbids both), so it shows the same offline, printed or
/// saved as PDF from any browser.
/// </summary>
public static class ProvisionReportDocument
{
    // Japan has kept one offset, without summer time, since 1951: a person reads times in it.
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    private static readonly Dictionary<string, string> OutcomeNames = new(StringComparer.Ordinal)
    {
        ["provided"] = "提供",
        ["received"] = "取得（登録・更新）",
        ["refused"] = "拒否した要求",
        ["opted-out"] = "利用停止の申出",
        ["opt-out-withdrawn"] = "利用停止の申出の撤回",
        ["deleted"] = "削除",
        ["exceptional"] = "法令等に基づく提供",
        ["disclosed-to-subject"] = "ご本人への開示",
        ["own-use"] = "自社での利用",
    };

    private static readonly Dictionary<string, string> LegalBasisNames = new(StringComparer.Ordinal)
    {
        ["laws-and-regulations"] = "法令に基づく場合（個人情報保護法第27条第1項第1号）",
        ["protection-of-life-or-property"] = "人の生命、身体又は財産の保護のために必要がある場合（同項第2号）",
        ["public-health"] = "公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合（同項第3号）",
        ["cooperation-with-authorities"] = "国の機関等が法令の定める事務を遂行することに協力する必要がある場合（同項第4号）",
    };

    /// <summary>
    /// The report as an HTML document (UTF-8). <paramref name="declaration"/>, when given, supplies
    /// the responsible manager and the inquiry desk shown at the foot.
    /// </summary>
    public static string Render(ProvisionReport report, DeclarationContent? declaration = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(4096 + (report.Provisions.Count * 600));
        html.Append("""
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>第三者提供記録の開示</title>
            <style>
            @page { size: A4; margin: 14mm 12mm; }
            body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; font-size: 10.5pt; line-height: 1.55; color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm 4mm; }
            h1 { font-size: 16pt; margin: 0 0 2mm; }
            h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 1px solid #444; }
            .lead { margin: 0 0 4mm; }
            dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
            dl.meta dt { font-weight: bold; }
            dl.meta dd { margin: 0; }
            table { width: 100%; border-collapse: collapse; font-size: 9pt; table-layout: fixed; }
            thead { display: table-header-group; }
            th, td { border: 1px solid #777; padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
            th { background: #eee; }
            tr { break-inside: avoid; page-break-inside: avoid; }
            col.when { width: 15%; } col.party { width: 17%; } col.items { width: 18%; } col.purpose { width: 15%; } col.no { width: 18%; }
            .id, .hash, pre { font-family: "Noto Sans Mono CJK JP", "DejaVu Sans Mono", monospace; font-size: 7.5pt; color: #444; overflow-wrap: anywhere; }
            pre { white-space: pre-wrap; border: 1px solid #aaa; padding: 2mm; }
            .note { font-size: 9pt; color: #333; }
            .none { font-style: italic; }
            @media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } }
            </style>
            </head>
            <body>
            <h1>第三者提供記録の開示</h1>
            <p class="lead">個人情報の保護に関する法律第33条第5項に基づき、ご本人の個人データを第三者に提供し、又は第三者から受領した記録を開示します。</p>
            <dl class="meta">

            """);
        Definition(html, "作成日時", When(report.GeneratedAt));
        Definition(html, "請求番号", report.RequestId);
        Definition(html, "提供の記録", report.Provisions.Count.ToString("N0", CultureInfo.InvariantCulture) + " 件");
        html.Append("<dt>対象の記録</dt><dd class=\"id\">").Append(Encode(string.Join(", ", report.SubjectIds))).Append("</dd>\n</dl>\n");

        html.Append("<h2>提供の記録</h2>\n");
        if (report.Provisions.Count == 0)
        {
            html.Append("<p class=\"none\">ご本人の個人データを第三者に提供した記録はありません。</p>\n");
        }
        else
        {
            html.Append("""
                <table class="provisions">
                <colgroup><col class="when"><col class="party"><col class="party"><col class="items"><col class="purpose"><col class="no"></colgroup>
                <thead><tr><th>日時</th><th>提供元</th><th>提供先</th><th>項目</th><th>利用目的</th><th>記録</th></tr></thead>
                <tbody>

                """);
            foreach (var provision in report.Provisions)
            {
                Row(html, provision);
            }

            html.Append("</tbody>\n</table>\n");
        }

        if (report.Summary.Count > 0)
        {
            html.Append("<h2>その他の記録（件数）</h2>\n<p class=\"note\">第三者への提供に当たらない記録は、件数のみを示します。</p>\n");
            html.Append("<table class=\"summary\">\n<thead><tr><th>記録の種類</th><th>件数</th><th>最初</th><th>最後</th></tr></thead>\n<tbody>\n");
            foreach (var line in report.Summary)
            {
                var kind = OutcomeName(line.Outcome) + (line.Rule.Length > 0 ? $"（{line.Rule}）" : "");
                html.Append("<tr><td>").Append(Encode(kind)).Append("</td><td>").Append(line.Count.ToString("N0", CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(When(line.First)).Append("</td><td>").Append(When(line.Last)).Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
        }

        html.Append("<h2>記録の確かめ方</h2>\n<p class=\"note\">各記録の番号とハッシュ値は、提供記録（改ざん検知のための署名付きの記録）の項目です。公開されているチェックポイントと照合し、記録が後から書き換えられていないことを確かめられます。</p>\n");
        if (report.Checkpoint.Length > 0)
        {
            html.Append("<p class=\"note\">照合に用いたチェックポイント:</p>\n<pre>").Append(Encode(report.Checkpoint)).Append("</pre>\n");
        }

        if (declaration is not null)
        {
            Footer(html, declaration);
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Row(StringBuilder html, ReportedProvision provision)
    {
        html.Append("<tr class=\"provision\"><td>").Append(When(provision.Time));
        if (provision.Outcome != "provided")
        {
            html.Append("<br>").Append(Encode(OutcomeName(provision.Outcome)));
        }

        html.Append("</td><td>");
        Party(html, provision.ProviderNameJa, provision.Provider);
        html.Append("</td><td>");
        if (provision.Authority.Length > 0)
        {
            html.Append(Encode(provision.Authority));
        }
        else
        {
            Party(html, provision.RecipientNameJa, provision.Recipient);
        }

        if (provision.Agent.Length > 0)
        {
            html.Append("<br><span class=\"note\">代理: ");
            Party(html, provision.AgentNameJa, provision.Agent);
            html.Append("</span>");
        }

        if (provision.StaffId.Length > 0)
        {
            html.Append("<br><span class=\"note\">担当者: ").Append(Encode(provision.StaffId)).Append("</span>");
        }

        html.Append("</td><td>");
        var names = provision.Items.Select((item, i) => i < provision.ItemNamesJa.Count && provision.ItemNamesJa[i].Length > 0 ? provision.ItemNamesJa[i] : item);
        html.Append(Encode(string.Join("、", names)));
        html.Append("</td><td>");
        if (provision.LegalBasis.Length > 0)
        {
            html.Append(Encode(LegalBasisNames.GetValueOrDefault(provision.LegalBasis, provision.LegalBasis)));
        }
        else
        {
            html.Append(Encode(provision.PurposeJa.Length > 0 ? provision.PurposeJa : provision.Purpose));
        }

        html.Append("</td><td>No. ").Append(provision.Sequence.ToString(CultureInfo.InvariantCulture));
        if (provision.DeclarationVersion > 0)
        {
            html.Append("<br>公表事項 第").Append(provision.DeclarationVersion.ToString(CultureInfo.InvariantCulture)).Append("版");
        }

        html.Append("<br><span class=\"hash\">").Append(Encode(provision.EntryHash)).Append("</span></td></tr>\n");
    }

    private static void Party(StringBuilder html, string nameJa, string id) =>
        html.Append(Encode(nameJa.Length > 0 ? nameJa : id));

    private static void Footer(StringBuilder html, DeclarationContent declaration)
    {
        html.Append("<h2>お問い合わせ</h2>\n<dl class=\"meta\">\n");
        if (declaration.Manager?.Name?.Ja is { Length: > 0 } manager)
        {
            Definition(html, "管理責任者", manager);
        }

        if (declaration.Inquiry is { } inquiry)
        {
            Definition(html, "窓口", inquiry.Name?.Ja ?? "");
            Definition(html, "所在地", inquiry.Address?.Ja ?? "");
            Definition(html, "電話", inquiry.Phone);
            Definition(html, "電子メール", inquiry.Email);
        }

        html.Append("</dl>\n");
    }

    private static void Definition(StringBuilder html, string term, string value)
    {
        if (value.Length > 0)
        {
            html.Append("<dt>").Append(term).Append("</dt><dd>").Append(Encode(value)).Append("</dd>\n");
        }
    }

    private static string OutcomeName(string outcome) => OutcomeNames.GetValueOrDefault(outcome, outcome);

    private static string When(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToOffset(Jst).ToString("yyyy年M月d日 H時mm分", CultureInfo.InvariantCulture);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
