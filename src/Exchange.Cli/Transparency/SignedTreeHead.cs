using System.Globalization;
using Exchange.Domain.Provisions;

namespace Exchange.Cli.Transparency;

/// <summary>A checkpoint of the provision log opened with the log's verifier key: its size and root are what the log signed.</summary>
/// <param name="Size">The tree size the log signed.</param>
/// <param name="Root">The root hash it signed.</param>
/// <param name="Body">The signed text (what witnesses cosign).</param>
/// <param name="Note">The note as served, cosignatures included.</param>
internal sealed record SignedTreeHead(long Size, byte[] Root, string Body, string Note)
{
    /// <summary>Opens <paramref name="note"/> with <paramref name="logKey"/>; exit code 7 when the log did not sign it.</summary>
    public static SignedTreeHead Open(string note, string logKey)
    {
        var body = NoteKey.Open(note, logKey)
            ?? throw new CliException(ExitCodes.NotIntact, $"the checkpoint served is not signed by the log key {NoteKey.NameOf(logKey)} (or the key given is not a log verifier key <name>+<key ID>+<base64 key>)");
        var lines = body.Split('\n');
        var root = new byte[32];
        if (lines.Length < 4 || lines[0] != NoteKey.NameOf(logKey)
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1
            || !Convert.TryFromBase64String(lines[2], root, out var written) || written != 32)
        {
            throw new CliException(ExitCodes.NotIntact, "the checkpoint is signed by the log key but is not a checkpoint of this log (origin, tree size, base64 root hash)");
        }

        return new SignedTreeHead(size, root, body, note);
    }

    /// <summary>What to keep of it.</summary>
    public TreeState ToState() => new(Size, Convert.ToBase64String(Root), Note);
}
