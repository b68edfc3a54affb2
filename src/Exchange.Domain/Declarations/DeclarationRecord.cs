using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Declarations;

/// <summary>One published version of the joint-use declaration. Immutable once published.</summary>
public sealed class DeclarationRecord
{
    /// <summary>Creates a version and computes its hash.</summary>
    public DeclarationRecord(int version, DateTimeOffset publishedAt, DateTimeOffset effectiveAt, DeclarationContent content)
    {
        Version = version;
        PublishedAt = publishedAt;
        EffectiveAt = effectiveAt;
        Content = content.Clone();
        Hash = ComputeHash(version, publishedAt, effectiveAt, content);
        Items = Content.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        PurposeIds = Content.Purposes.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Version number, from 1.</summary>
    public int Version { get; }

    /// <summary>When it was published (made readable by anyone).</summary>
    public DateTimeOffset PublishedAt { get; }

    /// <summary>When it takes effect.</summary>
    public DateTimeOffset EffectiveAt { get; }

    /// <summary>The declared items, joint users, purposes and manager.</summary>
    public DeclarationContent Content { get; }

    /// <summary>SHA-256 (lower-case hex) of the canonical encoding of version, times and content.</summary>
    public string Hash { get; }

    /// <summary>The declared item IDs.</summary>
    public IReadOnlySet<string> Items { get; }

    /// <summary>The declared purpose IDs.</summary>
    public IReadOnlySet<string> PurposeIds { get; }

    /// <summary>
    /// The joint user <paramref name="party"/> falls under, or null when it falls under none (and so
    /// may receive nothing): a joint user of the party's role that names its party ID, or, for a
    /// member garage, the member-garage class (a member-garage joint user naming no party IDs).
    /// </summary>
    public JointUser? JointUserOf(Party party)
    {
        ArgumentNullException.ThrowIfNull(party);
        var role = party.Role.ToWire();
        return Content.JointUsers.FirstOrDefault(u => u.Role == role && u.PartyIds.Contains(party.Id))
            ?? (party.Role == PartyRole.MemberGarage ? Content.JointUsers.FirstOrDefault(u => u.Role == role && u.PartyIds.Count == 0) : null);
    }

    /// <summary>The declared purpose, or null.</summary>
    public DeclaredPurpose? Purpose(string id) => Content.Purposes.FirstOrDefault(p => p.Id == id);

    /// <summary>The wire form.</summary>
    public DeclarationVersion ToMessage() => new()
    {
        Version = Version,
        PublishedAt = Timestamp.FromDateTimeOffset(PublishedAt),
        EffectiveAt = Timestamp.FromDateTimeOffset(EffectiveAt),
        Content = Content.Clone(),
        Hash = Hash,
    };

    private static string ComputeHash(int version, DateTimeOffset publishedAt, DateTimeOffset effectiveAt, DeclarationContent content)
    {
        // Protobuf encoding of a message without maps is deterministic: same content, same bytes.
        var canonical = new DeclarationVersion
        {
            Version = version,
            PublishedAt = Timestamp.FromDateTimeOffset(publishedAt),
            EffectiveAt = Timestamp.FromDateTimeOffset(effectiveAt),
            Content = content,
        };
        return Convert.ToHexStringLower(SHA256.HashData(canonical.ToByteArray()));
    }
}
