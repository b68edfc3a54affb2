using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Exchange.Cli.Transparency;

/// <summary>
/// A <see cref="TreeState"/> in a file, replaced whole (a temporary file flushed to disk, then
/// renamed over it), so a witness killed at any moment leaves the old state or the new one. Beside it,
/// <c>&lt;file&gt;.evidence</c> collects the signed checkpoints of each fork or rollback seen.
/// </summary>
internal sealed class TreeStateFile(string path)
{
    public string FilePath => path;

    public string EvidencePath => path + ".evidence";

    /// <summary>The state the file holds, or null when there is no file yet.</summary>
    public TreeState? Read()
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize<TreeState>(File.ReadAllText(path));
            return state is { Size: > 0, Root.Length: 44 } ? state : throw new JsonException("no size and root");
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Failure, $"{path} is not a tree state file ({e.Message}); it holds the size, root and note of the last checkpoint checked");
        }
    }

    /// <summary>Replaces the file's content with <paramref name="state"/>, on disk before the rename.</summary>
    public void Write(TreeState state)
    {
        var directory = Path.GetDirectoryName(path);
        if (directory is { Length: > 0 })
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(state));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Appends both signed checkpoints of a conflict, and why they conflict, to <see cref="EvidencePath"/>.</summary>
    public void KeepEvidence(string reason, TreeState saved, string note, DateTimeOffset now)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"=== {now:yyyy-MM-ddTHH:mm:ssZ} {reason}\n")
            .Append(CultureInfo.InvariantCulture, $"--- checked earlier (size {saved.Size}, root {saved.Root}):\n{saved.Note}")
            .Append(CultureInfo.InvariantCulture, $"--- served now:\n{note}\n");
        using var stream = new FileStream(EvidencePath, FileMode.Append, FileAccess.Write, FileShare.None);
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }
}
