using System.Runtime.InteropServices;

namespace Exchange.Host;

/// <summary>
/// Caps glibc's malloc arenas. glibc gives threads that allocate at the same moment arenas of their
/// own, up to eight per core, and keeps what is freed in each for reuse by that arena alone. The
/// hub's SQLite page caches are filled and emptied on whichever thread-pool thread runs a call, so
/// freed pages piled up across arenas: the process grew with the data and stayed large while idle
/// (docs/performance.md). Two arenas serve two cores without contention worth measuring.
/// </summary>
internal static class NativeHeap
{
    private const int ArenaMaxOption = -8;
    private const int Arenas = 2;

    /// <summary>Caps the arenas for threads that have none yet; elsewhere than glibc it does nothing.</summary>
    public static void CapArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }

        try
        {
            _ = MallocOption(ArenaMaxOption, Arenas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without mallopt: its allocator is not glibc's.
        }
    }

    /// <summary>Whether the C library is glibc, whose free memory <see cref="Trim"/> returns.</summary>
    public static bool CanTrim { get; } = OperatingSystem.IsLinux() && HasTrim();

    /// <summary>Returns the free memory of every arena to the system.</summary>
    public static void Trim() => _ = MallocTrim(0);

    private static bool HasTrim()
    {
        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);

    // Blittable arguments only: no marshalling code to generate, so no unsafe code in the project.
    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocOption(int option, int value);
}
