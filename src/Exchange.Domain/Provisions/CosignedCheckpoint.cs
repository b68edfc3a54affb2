namespace Exchange.Domain.Provisions;

/// <summary>A checkpoint with the cosignatures of the configured witnesses, and the policy's verdict.</summary>
/// <param name="Checkpoint">The log's signed checkpoint.</param>
/// <param name="Cosignatures">Valid cosignatures of configured witnesses, one per witness.</param>
/// <param name="Policy">The trust policy they were counted against.</param>
public sealed record CosignedCheckpoint(TreeCheckpoint Checkpoint, IReadOnlyList<TreeCosignature> Cosignatures, WitnessPolicy Policy)
{
    /// <summary>The checkpoint's note with a signature line per cosignature appended.</summary>
    public string Note => Checkpoint.Note + string.Concat(Cosignatures.Select(c => c.Line + "\n"));

    /// <summary>True when at least <see cref="WitnessPolicy.Quorum"/> witnesses cosigned.</summary>
    public bool QuorumMet => Cosignatures.Count >= Policy.Quorum;
}
