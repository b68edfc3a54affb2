namespace Exchange.Domain.Provisions;

/// <summary>A witness's C2SP <c>tlog-cosignature</c> of the checkpoint of one tree size, as stored.</summary>
/// <param name="Size">The checkpoint's tree size.</param>
/// <param name="Witness">The witness's party ID.</param>
/// <param name="Time">When it cosigned (whole seconds; part of what it signed).</param>
/// <param name="Line">The note signature line (<see cref="NoteKey.Cosign"/>).</param>
public sealed record TreeCosignature(long Size, string Witness, DateTimeOffset Time, string Line);
