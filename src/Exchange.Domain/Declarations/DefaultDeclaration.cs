using Exchange.Contracts.V1;

namespace Exchange.Domain.Declarations;

/// <summary>
/// The declaration the hub ships with: 株式会社上山オート's privacy policy §7 (joint use of personal
/// data), its three joint users, its items and its five purposes. The responsible manager is not
/// that garage but the body that runs the hub for the whole network (<see cref="DeclarationOperator"/>).
/// </summary>
public static class DefaultDeclaration
{
    /// <summary>
    /// The shipped declaration with the <see cref="DeclarationOperator.Development"/> operator: for
    /// the Development environment and tests only.
    /// </summary>
    public static DeclarationContent Kaminoyama() => Kaminoyama(DeclarationOperator.Development);

    /// <summary>The content of the shipped declaration, managed by <paramref name="hubOperator"/>.</summary>
    public static DeclarationContent Kaminoyama(DeclarationOperator hubOperator)
    {
        ArgumentNullException.ThrowIfNull(hubOperator);
        var content = new DeclarationContent
        {
            Manager = hubOperator.Manager.Clone(),
            Inquiry = hubOperator.Inquiry.Clone(),
            Scope = T(
                "会員整備工場のお客様の個人データを、以下の者との間で、以下の項目について、以下の目的のために共同して利用します。共同利用は Exchange ハブを通じてのみ行い、提供のたびに記録します。",
                "Member garages' customers' personal data is used jointly by the parties below, for the items and purposes below. Joint use happens only through the Exchange hub, which records every provision."),
        };
        content.JointUsers.Add(new JointUser
        {
            Name = T("全日本ロータス同友会の会員である整備工場", "Member garages of the All Japan Lotus Doyukai"),
            Role = "member-garage",
            Description = T("お客様の記録を保有する整備工場（本ハブに会員整備工場として登録された各社）", "The garages that hold their customers' records (each registered at this hub as a member garage)"),
        });
        content.JointUsers.Add(new JointUser
        {
            Name = T("全日本ロータス同友会（株式会社ロータス）", "All Japan Lotus Doyukai (Lotus Co., Ltd.)"),
            Role = "group-body",
            Description = T("日本国内の優良整備工場が組織する団体及びそれを母体とする企業", "The association of garages in Japan and the company it runs"),
            PartyIds = { hubOperator.GroupBodyPartyIds },
        });
        content.JointUsers.Add(new JointUser
        {
            Name = T("株式会社ブロードリーフ", "Broadleaf Co., Ltd."),
            Role = "vendor",
            Description = T("整備工場向け業務システムの提供者", "Provider of garage management systems"),
            PartyIds = { hubOperator.VendorPartyIds },
        });

        foreach (var (id, ja, en) in Items)
        {
            content.Items.Add(new DeclaredItem { Id = id, Name = T(ja, en) });
        }

        content.Purposes.Add(Purpose(Purposes.Statistics, "自動車整備販売関連事業に関する市場調査及び統計分析をするため。", "Market research and statistical analysis of the automotive maintenance and sales business.", optOut: true));
        content.Purposes.Add(Purpose(Purposes.Marketing, "お客様に最適な提案やご案内、効果的な広告宣伝を実施するため。", "Tailored proposals and notices to customers, and effective advertising.", optOut: true));
        content.Purposes.Add(Purpose(Purposes.ServicePlanning, "同友の自動車整備販売関連事業に関し、ロータスの同友に対する新たなサービス又は同友のお客様に対する新たなサービスを検討、企画し、又は提案するため。", "Planning and proposing new services by Lotus to members, or to members' customers.", optOut: true));
        content.Purposes.Add(Purpose(Purposes.ManagementAdvice, "当社の経営等に関する助言・アドバイスを受けるため。", "Receiving advice on our business management.", optOut: true));
        content.Purposes.Add(Purpose(Purposes.Recall, "リコールが発生した場合、当社のお客様のうちリコール対象車両の所有者に対してリコールに関する情報の提供を行うため。", "Informing owners of recalled vehicles among our customers about the recall.", optOut: false));
        return content;
    }

    private static readonly (string Id, string Ja, string En)[] Items =
    [
        ("contact.name", "お名前", "Name"),
        ("contact.gender", "性別", "Gender"),
        ("contact.address", "ご住所", "Address"),
        ("contact.phone", "お電話番号", "Telephone number"),
        ("contact.fax", "FAX", "Fax number"),
        ("contact.email", "メールアドレス", "Email address"),
        ("contact.birth_date", "生年月日", "Date of birth"),
        ("contact.family", "家族情報", "Family information"),
        ("contact.replacement_intent", "買替等のご意向", "Intention to replace the vehicle"),
        ("contact.occupation", "職業・職種", "Occupation"),
        ("vehicle.entry_date", "当社への入庫日", "Date the vehicle came in"),
        ("vehicle.inspection_certificate", "車検証記載情報", "Vehicle inspection certificate data"),
        ("vehicle.mileage", "走行距離", "Mileage"),
        ("vehicle.usage", "使用用途", "Usage"),
        ("vehicle.images", "画像", "Images"),
        ("vehicle.upkeep_costs", "維持のための諸費用（税金等）", "Upkeep costs (including taxes)"),
        ("repair.work", "点検・修理内容（当社及び当社が知った他社におけるもの）", "Inspection and repair work (ours and other shops' known to us)"),
        ("repair.parts", "使用した交換部品の情報（名称・数量・単価・金額）", "Replacement parts used (name, quantity, unit price, amount)"),
        ("cost.estimate_date", "お見積もり日", "Estimate date"),
        ("cost.sales_date", "売上計上日", "Sales date"),
        ("cost.billed_amount", "お客様へのご請求金額", "Amount billed to the customer"),
    ];

    private static LocalizedText T(string ja, string en) => new() { Ja = ja, En = en };

    private static DeclaredPurpose Purpose(string id, string ja, string en, bool optOut) =>
        new() { Id = id, Description = T(ja, en), OptOutAllowed = optOut };
}
