using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Exchange.Contracts.V1;
using Google.Protobuf;

namespace Exchange.Domain.Provisions;

/// <summary>
/// The hash chain: entry_hash = SHA-256(previous_hash ‖ canonical entry), where the canonical
/// entry is the protobuf encoding of <see cref="ProvisionEntry"/> without <c>entry_hash</c>. Any
/// protobuf implementation can recompute it.
/// </summary>
public static class ProvisionChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The canonical message of an entry (entry_hash left empty).</summary>
    public static ProvisionEntry Canonical(long sequence, ProvisionFact fact, string previousHash)
    {
        var message = new ProvisionEntry
        {
            Sequence = sequence,
            Time = fact.Time.ToTimestamp(),
            Provider = fact.Provider,
            Recipient = fact.Recipient,
            Agent = fact.Agent ?? "",
            SubjectId = fact.SubjectId ?? "",
            Purpose = fact.Purpose,
            DeclarationVersion = fact.DeclarationVersion,
            DeclarationHash = fact.DeclarationHash,
            CallId = fact.CallId,
            Outcome = fact.Outcome,
            Rule = fact.Rule ?? "",
            PreviousHash = previousHash,
            StaffId = fact.StaffId ?? "",
        };
        message.Items.AddRange(fact.Items);
        return message;
    }

    /// <summary>What the entry <paramref name="message"/> states: the inverse of <see cref="Canonical"/>.</summary>
    public static ProvisionFact FactOf(ProvisionEntry message) => new(
        message.Time.ToDateTimeOffset(),
        message.Provider,
        message.Recipient,
        NullIfEmpty(message.Agent),
        NullIfEmpty(message.SubjectId),
        [.. message.Items],
        message.Purpose,
        message.DeclarationVersion,
        message.DeclarationHash,
        message.CallId,
        message.Outcome,
        NullIfEmpty(message.Rule),
        NullIfEmpty(message.StaffId));

    /// <summary>The hash of an entry.</summary>
    public static string Hash(long sequence, ProvisionFact fact, string previousHash)
    {
        var canonical = Canonical(sequence, fact, previousHash).ToByteArray();
        var buffer = new byte[32 + canonical.Length];
        Convert.FromHexString(previousHash).CopyTo(buffer, 0);
        canonical.CopyTo(buffer, 32);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    /// <summary>Links <paramref name="facts"/> after the entry (<paramref name="lastSequence"/>, <paramref name="lastHash"/>).</summary>
    public static IReadOnlyList<ChainedProvision> Link(long lastSequence, string lastHash, IEnumerable<ProvisionFact> facts)
    {
        var linked = new List<ChainedProvision>();
        foreach (var fact in facts)
        {
            if (fact.Problem() is { } problem)
            {
                throw new InvalidOperationException($"A provision fact cannot join the chain: {problem}. Callers' text is validated before it is recorded.");
            }

            var sequence = ++lastSequence;
            var hash = Hash(sequence, fact, lastHash);
            linked.Add(new ChainedProvision(sequence, fact, lastHash, hash));
            lastHash = hash;
        }

        return linked;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>The bytes a checkpoint signature covers.</summary>
    public static byte[] CheckpointPayload(long sequence, string entryHash, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"exchange/provision-log/checkpoint/v1\n{sequence}\n{entryHash}\n{signedAt.UtcTicks}"));

    /// <summary>The bytes a <see cref="VerifiedCheckpoint"/>'s signature covers.</summary>
    public static byte[] VerifiedPayload(long sequence, string entryHash, DateTimeOffset verifiedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"exchange/provision-log/verified/v1\n{sequence}\n{entryHash}\n{verifiedAt.UtcTicks}"));

    /// <summary>Walks the chain in order and checks every link, hash and checkpoint; stops at the first fault.</summary>
    public static async Task<ChainVerification> VerifyAsync(IAsyncEnumerable<ChainedProvision> entries, IReadOnlyList<ProvisionCheckpoint> checkpoints, ILogSigner signer, CancellationToken cancellationToken)
    {
        var walk = new ChainWalk(ChainPosition.Genesis, checkpoints, signer);
        await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!walk.Check(entry))
            {
                break;
            }
        }

        return walk.Finish(null);
    }
}
