using System.Text.Json.Serialization;

namespace Exchange.Cli.Transparency;

/// <summary>The last tree a witness cosigned, or a partner checked: the next must be consistent with it.</summary>
/// <param name="Size">Its tree size.</param>
/// <param name="Root">Its base64 root hash.</param>
/// <param name="Note">The signed checkpoint it came from, as served (empty when given on the command line).</param>
internal sealed record TreeState(
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("root")] string Root,
    [property: JsonPropertyName("note")] string Note)
{
    /// <summary>The root's bytes.</summary>
    public byte[] RootHash => Convert.FromBase64String(Root);
}
