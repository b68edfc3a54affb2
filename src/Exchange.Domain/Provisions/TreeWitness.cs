namespace Exchange.Domain.Provisions;

/// <summary>A party the operator trusts to cosign the provision log's checkpoints, and its key.</summary>
/// <param name="Party">The witness's party ID: its certificate identifies it when it submits.</param>
/// <param name="VerifierKey">Its C2SP <c>cosignature/v1</c> verifier key, <c>name+key ID hex+base64(0x04 ‖ key)</c>.</param>
public sealed record TreeWitness(string Party, string VerifierKey);
