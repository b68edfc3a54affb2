using System.Globalization;
using Exchange.Domain.Provisions;

namespace Exchange.Cli.Transparency;

/// <summary>
/// Whether a new signed tree head may follow the one checked before: never a smaller tree, never
/// another root at the same size, and a larger tree only with a consistency proof from the old one.
/// </summary>
internal static class TreeHistory
{
    /// <summary>
    /// Checks <paramref name="head"/> against <paramref name="saved"/> (nothing to check when null),
    /// asking <paramref name="prove"/> for the consistency proof from the saved size. A conflict is
    /// kept as evidence beside the state (when there is a state file) and refused with exit code 7.
    /// </summary>
    public static async Task CheckAsync(TreeState? saved, SignedTreeHead head, Func<long, long, Task<IReadOnlyList<byte[]>>> prove, TreeStateFile? file, DateTimeOffset now)
    {
        if (saved is null)
        {
            return;
        }

        string? conflict = null;
        if (head.Size < saved.Size)
        {
            conflict = Invariant($"the log went backwards: it signed tree size {head.Size} after size {saved.Size} (entries cut from its end?)");
        }
        else if (head.Size == saved.Size)
        {
            conflict = head.Root.AsSpan().SequenceEqual(saved.RootHash) ? null : Invariant($"fork: two different roots signed at tree size {head.Size}");
        }
        else
        {
            var proof = await prove(saved.Size, head.Size).ConfigureAwait(false);
            if (!MerkleTree.VerifyConsistency(saved.Size, saved.RootHash, head.Size, head.Root, proof))
            {
                conflict = Invariant($"fork: the tree of size {head.Size} is not consistent with the tree of size {saved.Size} checked earlier (its consistency proof fails)");
            }
        }

        if (conflict is not null)
        {
            file?.KeepEvidence(conflict, saved, head.Note, now);
            throw new CliException(ExitCodes.NotIntact, conflict + (file is null ? "" : $"; both signed checkpoints are kept in {file.EvidencePath}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
