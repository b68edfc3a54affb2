using System.Globalization;
using System.Text;

namespace Exchange.Cli;

/// <summary>
/// Where a watch stands in the change feed: the sequence of the last event it printed, in a file
/// holding that one number. Each write replaces the file whole (a temporary file renamed over it),
/// so a watch killed at any moment leaves either the old position or the new one, never a torn one.
/// </summary>
internal sealed class CursorFile
{
    private readonly string _path;
    private readonly string _temporary;

    public CursorFile(string path)
    {
        _path = path;
        _temporary = path + ".tmp";
        var directory = Path.GetDirectoryName(path);
        if (directory is { Length: > 0 } && !Directory.Exists(directory))
        {
            throw new CliException(ExitCodes.Failure, $"cannot keep the cursor in {path}: the folder {directory} does not exist");
        }
    }

    public string FilePath => _path;

    /// <summary>The sequence the file holds, or null when there is no file yet.</summary>
    public long? Read()
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        var text = File.ReadAllText(_path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : throw new CliException(ExitCodes.Failure, $"{_path} is not a cursor file: it should hold the sequence of the last event watched, a whole number, not '{Shorten(text)}'");
    }

    /// <summary>Replaces the file's content with <paramref name="sequence"/>, on disk before the rename.</summary>
    public void Write(long sequence)
    {
        using (var stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(_temporary, _path, overwrite: true);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
