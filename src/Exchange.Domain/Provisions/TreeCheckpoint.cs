namespace Exchange.Domain.Provisions;

/// <summary>
/// A signed tree head of the provision log in the C2SP <c>tlog-checkpoint</c> form: its
/// <see cref="Note"/> is the origin line, the tree size and the base64 root hash, a blank line
/// and the log key's <c>signed-note</c> signature line.
/// </summary>
/// <param name="Size">Leaves in the tree: the entries 1 … Size.</param>
/// <param name="RootHash">The tree's root hash.</param>
/// <param name="SignedAt">When the hub signed it (not part of the signed text).</param>
/// <param name="Note">The signed note, exactly as served.</param>
public sealed record TreeCheckpoint(long Size, byte[] RootHash, DateTimeOffset SignedAt, string Note)
{
    /// <summary>The text the log signed, and witnesses cosign: the note up to its blank line.</summary>
    public string SignedBody => Note[..(Note.IndexOf("\n\n", StringComparison.Ordinal) + 1)];

    /// <summary>The checkpoint body over (<paramref name="size"/>, <paramref name="rootHash"/>) for <paramref name="origin"/>.</summary>
    public static string Body(string origin, long size, byte[] rootHash) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{origin}\n{size}\n{Convert.ToBase64String(rootHash)}\n");
}
