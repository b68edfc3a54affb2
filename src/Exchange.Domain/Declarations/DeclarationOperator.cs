using Exchange.Contracts.V1;

namespace Exchange.Domain.Declarations;

/// <summary>
/// The body that runs the hub, as the declaration the hub ships with names it: the person
/// responsible for management (管理について責任を有する者) of the whole joint use, its inquiry contact
/// (お問い合わせ窓口), and the party IDs under which the named joint users (the group body and the
/// vendor) are registered. Configured on first start; later changes are published as new versions.
/// </summary>
/// <param name="Manager">The responsible manager: name, address and representative, in Japanese and English.</param>
/// <param name="Inquiry">Where persons send inquiries and requests.</param>
/// <param name="GroupBodyPartyIds">The group body's party IDs.</param>
/// <param name="VendorPartyIds">The vendor's party IDs.</param>
public sealed record DeclarationOperator(ResponsibleManager Manager, InquiryContact Inquiry, IReadOnlyList<string> GroupBodyPartyIds, IReadOnlyList<string> VendorPartyIds)
{
    /// <summary>The group body's party ID in the development PKI.</summary>
    public const string DevelopmentGroupBody = "group-lotus";

    /// <summary>The vendor's party ID in the development PKI.</summary>
    public const string DevelopmentVendor = "vendor-broadleaf";

    /// <summary>
    /// DEVELOPMENT ONLY: a placeholder operator, marked 開発用 / development in every field, for the
    /// Development environment and tests. Outside development the hub refuses to start without
    /// the real operator configured.
    /// </summary>
    public static DeclarationOperator Development { get; } = new(
        new ResponsibleManager
        {
            Name = new LocalizedText { Ja = "Exchange 運営者（開発用・実在しません）", En = "Exchange operator (development placeholder, not a real body)" },
            Address = new LocalizedText { Ja = "（開発用）所在地未設定", En = "(development) no address configured" },
            Representative = new LocalizedText { Ja = "（開発用）代表者未設定", En = "(development) no representative configured" },
        },
        new InquiryContact
        {
            Name = new LocalizedText { Ja = "Exchange 運営者 お問い合わせ窓口（開発用）", En = "Exchange operator inquiries (development)" },
            Address = new LocalizedText { Ja = "（開発用）所在地未設定", En = "(development) no address configured" },
            Email = "inquiries@exchange.invalid",
        },
        [DevelopmentGroupBody],
        [DevelopmentVendor]);
}
