using System.Diagnostics;

namespace Exchange.Storage;

/// <summary>Storage's trace source: the provision log's appends and group commits.</summary>
public static class StorageActivity
{
    /// <summary>The <see cref="ActivitySource"/> name to listen to.</summary>
    public const string SourceName = "Exchange.Storage";

    internal static ActivitySource Source { get; } = new(SourceName);
}
