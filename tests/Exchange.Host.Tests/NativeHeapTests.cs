using System.Globalization;
using System.Runtime.InteropServices;

namespace Exchange.Host.Tests;

/// <summary>glibc's heap as the hub trims it: what native code freed goes back to the system.</summary>
public sealed class NativeHeapTests
{
    private const int BlockBytes = 4096;
    private const int Blocks = 65_536;
    private const long Mebibyte = 1 << 20;

    [Fact]
    public void Trim_returns_freed_native_memory_to_the_system()
    {
        Assert.SkipUnless(NativeHeap.CanTrim, "The C library is not glibc.");
        var blocks = new nint[Blocks];
        var page = new byte[BlockBytes];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);
            Marshal.Copy(page, 0, blocks[i], BlockBytes);
        }

        // Measured before freeing: a hub's trimmer in another test may trim between the frees and here.
        var before = ResidentAnonymousBytes();

        // All but the last: the freed space lies inside the heap, below a block still in use, where
        // free() itself gives nothing back, as with SQLite's pages freed among others.
        for (var i = 0; i < blocks.Length - 1; i++)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        try
        {
            NativeHeap.Trim();

            var returned = before - ResidentAnonymousBytes();
            Assert.True(returned > Blocks * (long)BlockBytes / 2, $"{returned / Mebibyte} MiB of the {Blocks * (long)BlockBytes / Mebibyte} MiB freed went back to the system");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    private static long ResidentAnonymousBytes()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
