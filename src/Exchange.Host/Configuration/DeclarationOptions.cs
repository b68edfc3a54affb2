using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;

namespace Exchange.Host.Configuration;

/// <summary>
/// The body that runs the hub, as the declaration the hub ships with (version 1, recorded on first
/// start) names it: <c>Exchange:Declaration</c>. Required outside development; in the Development
/// environment, when unset, a placeholder marked 開発用 / development stands in. Later changes are
/// published as new declaration versions.
/// </summary>
internal sealed class DeclarationOptions
{
    /// <summary>The person responsible for management of the joint use (管理について責任を有する者).</summary>
    public ManagerOptions Manager { get; set; } = new();

    /// <summary>The inquiry contact (お問い合わせ窓口).</summary>
    public InquiryOptions Inquiry { get; set; } = new();

    /// <summary>Party IDs of the group body named as a joint user; unset: <c>group-lotus</c>.</summary>
    public List<string>? GroupBodyPartyIds { get; set; }

    /// <summary>Party IDs of the vendor named as a joint user; unset: <c>vendor-broadleaf</c>.</summary>
    public List<string>? VendorPartyIds { get; set; }

    /// <summary>The operator these settings name; the development placeholder for what is unset when <paramref name="development"/>.</summary>
    public DeclarationOperator ToOperator(bool development)
    {
        var placeholder = DeclarationOperator.Development;
        return new DeclarationOperator(
            development && !Manager.IsSet ? placeholder.Manager : Manager.ToMessage(),
            development && !Inquiry.IsSet ? placeholder.Inquiry : Inquiry.ToMessage(),
            GroupBodyPartyIds is { Count: > 0 } groupBody ? groupBody : placeholder.GroupBodyPartyIds,
            VendorPartyIds is { Count: > 0 } vendor ? vendor : placeholder.VendorPartyIds);
    }
}

/// <summary><c>Exchange:Declaration:Manager</c>: name, address and representative, each in Japanese and English.</summary>
internal sealed class ManagerOptions
{
    public string? NameJa { get; set; }

    public string? NameEn { get; set; }

    public string? AddressJa { get; set; }

    public string? AddressEn { get; set; }

    public string? RepresentativeJa { get; set; }

    public string? RepresentativeEn { get; set; }

    /// <summary>True when any field is set.</summary>
    public bool IsSet => new[] { NameJa, NameEn, AddressJa, AddressEn, RepresentativeJa, RepresentativeEn }.Any(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>True when every field is set.</summary>
    public bool IsComplete => new[] { NameJa, NameEn, AddressJa, AddressEn, RepresentativeJa, RepresentativeEn }.All(v => !string.IsNullOrWhiteSpace(v));

    public ResponsibleManager ToMessage() => new()
    {
        Name = new LocalizedText { Ja = NameJa ?? "", En = NameEn ?? "" },
        Address = new LocalizedText { Ja = AddressJa ?? "", En = AddressEn ?? "" },
        Representative = new LocalizedText { Ja = RepresentativeJa ?? "", En = RepresentativeEn ?? "" },
    };
}

/// <summary><c>Exchange:Declaration:Inquiry</c>: the desk's name (Japanese and English), and a telephone number, an email address or a postal address.</summary>
internal sealed class InquiryOptions
{
    public string? NameJa { get; set; }

    public string? NameEn { get; set; }

    public string? AddressJa { get; set; }

    public string? AddressEn { get; set; }

    public string? Phone { get; set; }

    public string? Email { get; set; }

    /// <summary>True when any field is set.</summary>
    public bool IsSet => new[] { NameJa, NameEn, AddressJa, AddressEn, Phone, Email }.Any(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>True when the name and a way to reach the desk are set.</summary>
    public bool IsComplete =>
        !string.IsNullOrWhiteSpace(NameJa) && !string.IsNullOrWhiteSpace(NameEn)
        && (!string.IsNullOrWhiteSpace(Phone) || !string.IsNullOrWhiteSpace(Email) || (!string.IsNullOrWhiteSpace(AddressJa) && !string.IsNullOrWhiteSpace(AddressEn)));

    public InquiryContact ToMessage() => new()
    {
        Name = new LocalizedText { Ja = NameJa ?? "", En = NameEn ?? "" },
        Address = new LocalizedText { Ja = AddressJa ?? "", En = AddressEn ?? "" },
        Phone = Phone ?? "",
        Email = Email ?? "",
    };
}
