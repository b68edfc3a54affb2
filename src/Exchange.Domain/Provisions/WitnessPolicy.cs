namespace Exchange.Domain.Provisions;

/// <summary>The operator's trust policy for checkpoints: the witnesses, and how many of them must cosign.</summary>
/// <param name="Witnesses">The witnesses whose cosignatures count.</param>
/// <param name="Quorum">How many of them make a checkpoint trusted; 0 with none.</param>
public sealed record WitnessPolicy(IReadOnlyList<TreeWitness> Witnesses, int Quorum)
{
    /// <summary>No witnesses: checkpoints carry the log's signature only.</summary>
    public static WitnessPolicy None { get; } = new([], 0);

    /// <summary>The witness that is <paramref name="party"/>, or null.</summary>
    public TreeWitness? Find(string party) => Witnesses.FirstOrDefault(w => string.Equals(w.Party, party, StringComparison.Ordinal));
}
