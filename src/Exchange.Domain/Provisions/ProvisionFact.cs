using Exchange.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Provisions;

/// <summary>What one provision-log entry states: who gave whom which items of which person, why, under which declaration.</summary>
/// <remarks>
/// A refusal names the party that asked, in the place it asked from: the recipient of a refused read
/// or search, the provider of a refused write (recipient "hub"), so that a garage's attempt to
/// overwrite another garage's customer is on that customer's record under the garage that made it,
/// not under the owner. A vendor asks for a garage: the entry names that garage as provider (a write,
/// or after-sales reads as recipient) and the vendor as <see cref="Agent"/>; the subject is the
/// person the request was about.
/// </remarks>
/// <param name="Time">When.</param>
/// <param name="Provider">The party the data came from, or offered it in a refused write (or "hub").</param>
/// <param name="Recipient">The party the data went to, or that asked for it in a refused read (or "hub").</param>
/// <param name="Agent">A vendor acting, or asking to act, for the garage named as provider or recipient, if any.</param>
/// <param name="SubjectId">The person's pseudonymous ID; null for a refusal naming no person or an aggregate.</param>
/// <param name="Items">Item IDs (never values).</param>
/// <param name="Purpose">The purpose named by the call.</param>
/// <param name="DeclarationVersion">The declaration version in force.</param>
/// <param name="DeclarationHash">Its hash, proving the notice was published before.</param>
/// <param name="CallId">The call's ID.</param>
/// <param name="Outcome">Provided, received or refused; or a person's opt-out from <paramref name="Purpose"/> (or its withdrawal), relayed by <paramref name="Provider"/>.</param>
/// <param name="Rule">The refusing rule, for refusals.</param>
/// <param name="StaffId">The pseudonymous ID of the staff member who acted for the calling party, if a staff token named one.</param>
public sealed record ProvisionFact(
    DateTimeOffset Time,
    string Provider,
    string Recipient,
    string? Agent,
    string? SubjectId,
    IReadOnlyList<string> Items,
    string Purpose,
    int DeclarationVersion,
    string DeclarationHash,
    string CallId,
    ProvisionOutcome Outcome,
    string? Rule,
    string? StaffId = null)
{
    /// <summary>The name used for the hub itself as provider or recipient.</summary>
    public const string Hub = "hub";

    private const int MaxToken = 128;

    /// <summary>
    /// Why this fact cannot be recorded exactly, or null. The log holds only identifiers: printable
    /// ASCII without spaces (so that items joined by spaces split back exactly, and no text encoding,
    /// byte-order mark or normalisation can change what was hashed), items and purposes in their
    /// own forms, the purpose empty where a request's was malformed.
    /// </summary>
    internal string? Problem()
    {
        if (!IsToken(Provider) || !IsToken(Recipient) || (Agent is not null && !IsToken(Agent)))
        {
            return "a party is not an identifier";
        }

        if ((SubjectId is not null && !IsToken(SubjectId)) || !IsToken(DeclarationHash) || !IsToken(CallId) || (Rule is not null && !IsToken(Rule))
            || (StaffId is not null && !IsToken(StaffId)))
        {
            return "a subject, hash, call ID, rule or staff ID is not an identifier";
        }

        if (Purpose.Length > 0 && !Identifiers.IsPurpose(Purpose))
        {
            return "the purpose is not a purpose ID";
        }

        return Items.Count > Identifiers.MaxItems || !Items.All(Identifiers.IsItem) ? "an item is not an item ID" : null;
    }

    private static bool IsToken(string value) => value is { Length: > 0 and <= MaxToken } && value.All(c => c is > ' ' and <= '~');
}

/// <summary>A fact as stored in the chain.</summary>
/// <param name="Sequence">Position in the chain, from 1.</param>
/// <param name="Fact">What it states.</param>
/// <param name="PreviousHash">The hash of the entry before.</param>
/// <param name="EntryHash">This entry's hash.</param>
public sealed record ChainedProvision(long Sequence, ProvisionFact Fact, string PreviousHash, string EntryHash)
{
    /// <summary>The wire form.</summary>
    public ProvisionEntry ToMessage()
    {
        var message = ProvisionChain.Canonical(Sequence, Fact, PreviousHash);
        message.EntryHash = EntryHash;
        return message;
    }
}

/// <summary>A signed statement that the chain's entry <see cref="Sequence"/> had hash <see cref="EntryHash"/>.</summary>
/// <param name="Sequence">The entry signed over.</param>
/// <param name="EntryHash">Its hash.</param>
/// <param name="SignedAt">When.</param>
/// <param name="Signature">ECDSA P-256 / SHA-256 signature of <see cref="ProvisionChain.CheckpointPayload"/>.</param>
public sealed record ProvisionCheckpoint(long Sequence, string EntryHash, DateTimeOffset SignedAt, byte[] Signature);

/// <summary>The result of walking the chain.</summary>
/// <param name="Intact">True when every link, hash and checkpoint holds.</param>
/// <param name="EntriesChecked">Entries walked.</param>
/// <param name="CheckpointsChecked">Checkpoints verified.</param>
/// <param name="FirstBrokenSequence">The first entry that does not hold, or 0.</param>
/// <param name="Problem">What is wrong there.</param>
/// <param name="VouchedThrough">The last entry a verified checkpoint signs over (0 when none): entries after it could be cut off unseen.</param>
public sealed record ChainVerification(bool Intact, long EntriesChecked, long CheckpointsChecked, long FirstBrokenSequence, string? Problem, long VouchedThrough = 0)
{
    /// <summary>The first entry read: 1 for a full walk.</summary>
    public long FromSequence { get; init; } = 1;

    /// <summary>The last entry found intact.</summary>
    public long ThroughSequence { get; init; }

    /// <summary>True when every entry from the first was read by this walk; false when it went on from an earlier verification.</summary>
    public bool Full { get; init; } = true;

    /// <summary>When the entries before <see cref="FromSequence"/> were found intact, if not by this call.</summary>
    public DateTimeOffset? PrefixVerifiedAt { get; init; }

    /// <summary>Entries found intact that no verified checkpoint vouches for yet.</summary>
    public long Unvouched => ThroughSequence - VouchedThrough;
}

/// <summary>Helpers to build the canonical form.</summary>
internal static class TimestampExtensions
{
    public static Timestamp ToTimestamp(this DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);
}
