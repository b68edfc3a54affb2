using System.Diagnostics;
using System.Globalization;
using SQLitePCL;

namespace Exchange.Bench;

/// <summary>
/// The process's memory at one moment: its working set, the GC heap (objects alive and not yet
/// collected), what the GC has committed from the system, and what SQLite has allocated natively
/// (its page caches, mostly; 0 when SQLite is not used).
/// </summary>
internal sealed record MemorySnapshot(long WorkingSet, long GcHeap, long GcCommitted, long Sqlite)
{
    /// <summary>Now; SQLite's share only where <paramref name="sqlite"/> says the hub uses it (the library is not loaded otherwise).</summary>
    public static MemorySnapshot Take(bool sqlite)
    {
        using var process = Process.GetCurrentProcess();
        return new MemorySnapshot(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes, sqlite ? raw.sqlite3_memory_used() : 0);
    }

    /// <summary>The larger of each figure.</summary>
    public MemorySnapshot Max(MemorySnapshot other) =>
        new(Math.Max(WorkingSet, other.WorkingSet), Math.Max(GcHeap, other.GcHeap), Math.Max(GcCommitted, other.GcCommitted), Math.Max(Sqlite, other.Sqlite));

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"working set {WorkingSet / 1048576.0:N0} MiB, GC heap {GcHeap / 1048576.0:N0} MiB (committed {GcCommitted / 1048576.0:N0} MiB), SQLite {Sqlite / 1048576.0:N0} MiB");
}
