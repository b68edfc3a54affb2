using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace Exchange.Storage.Stores;

/// <summary>
/// A hub's own journal of provision-log entries that accompany no change of data (provisions to a
/// reader, refusals): the log writer makes them durable here with one small write and one flush,
/// answers the callers, and folds them into the database's chain later in larger transactions. A
/// database commit costs several page writes and a flush of the write-ahead log; this costs one
/// write into blocks that already exist, so a flush allocates nothing (it commits the file's times).
/// </summary>
/// <remarks>
/// <para>
/// Layout: a 16-byte header (magic, segment size), then two segments of that size, zero-filled
/// when the file is created. Records fill a segment from its start: payload length (4 bytes), a
/// CRC-32 of number and payload (4), the record's number (8), and the payload, which is the entry's
/// canonical <see cref="ProvisionEntry"/> message without sequence or hashes. Numbers count from 1
/// in each journal. When a segment is full the writer moves to the other one, but only once every
/// record in it is folded; what is left there from its earlier use numbers lower and ends reading.
/// </para>
/// <para>
/// The file is held with an exclusive lock while its hub runs, so each hub instance sharing a
/// database has its own; on start a hub folds the journals no running hub holds (those of a hub that
/// stopped without folding, e.g. one that crashed) and deletes them.
/// </para>
/// </remarks>
internal sealed class ProvisionJournal : IDisposable
{
    // .NET opens no directories, so flushing one takes the C library's calls (Linux only).
    private static class NativeMethods
    {
        // O_RDONLY: a directory opens read-only (O_DIRECTORY's value differs between architectures).
        public const int ReadOnlyDirectory = 0;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }

    /// <summary>The file name's ending.</summary>
    public const string Extension = ".journal";

    private const string Prefix = "provision-log-";
    private const int FileHeaderBytes = 16;
    private const int RecordHeaderBytes = 16;
    private readonly SafeFileHandle _file;
    private readonly long _segmentBytes;
    private readonly long[] _lastInSegment = new long[2];
    private byte[] _buffer = new byte[64 * 1024];
    private int _segment;
    private long _offset;

    private ProvisionJournal(string id, string path, SafeFileHandle file, long segmentBytes)
    {
        Id = id;
        Path = path;
        _file = file;
        _segmentBytes = segmentBytes;
    }

    /// <summary>The journal's ID, also the name the database records its folding progress under.</summary>
    public string Id { get; }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The number of the last record written and flushed; 0 before the first.</summary>
    public long LastNumber { get; private set; }

    private static ReadOnlySpan<byte> Magic => "EXJRNL01"u8;

    /// <summary>Creates a new journal in <paramref name="directory"/>, with two segments of <paramref name="segmentBytes"/> each written and flushed.</summary>
    public static ProvisionJournal Create(string directory, long segmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentBytes, int.MaxValue);
        var id = Guid.NewGuid().ToString("N");
        var path = PathOf(directory, id);
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var header = new byte[FileHeaderBytes];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), segmentBytes);
            RandomAccess.Write(file, header, 0);

            // Zeros written, not merely allocated: overwriting written blocks later allocates nothing
            // and converts no extents, so a flush writes the data and the file's times only.
            var zeros = new byte[1 << 20];
            var end = FileHeaderBytes + (2 * segmentBytes);
            for (long at = FileHeaderBytes; at < end; at += zeros.Length)
            {
                RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, end - at)), at);
            }

            RandomAccess.FlushToDisk(file);

            // The new name is durable only once the folder is flushed too.
            FlushDirectory(directory);
            return new ProvisionJournal(id, path, file, segmentBytes);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Where the journal <paramref name="id"/> is kept in <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, string id) => System.IO.Path.Combine(directory, Prefix + id + Extension);

    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.Open(directory, NativeMethods.ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the folder {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"Flushing the folder {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    /// <summary>
    /// The journals in <paramref name="directory"/> that no running hub holds, each opened with its
    /// lock held and its records read; journals held by a running hub are passed over.
    /// </summary>
    public static IEnumerable<Orphan> FindOrphans(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension))
        {
            SafeFileHandle file;
            try
            {
                file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue;
            }

            Orphan orphan;
            try
            {
                var name = System.IO.Path.GetFileName(path);
                orphan = new Orphan(name[Prefix.Length..^Extension.Length], path, file, Read(file));
            }
            catch
            {
                file.Dispose();
                throw;
            }

            yield return orphan;
        }
    }

    /// <summary>
    /// Writes <paramref name="facts"/> as the next records and flushes them to disk. False, with
    /// nothing written, when they do not fit in the current segment and the other one still holds
    /// records numbered above <paramref name="foldedThrough"/> (not folded yet), or do not fit in a
    /// segment at all.
    /// </summary>
    public bool TryAppend(IReadOnlyList<ProvisionFact> facts, long foldedThrough)
    {
        var length = Serialize(facts);
        if (length > _segmentBytes)
        {
            return false;
        }

        var segment = _segment;
        var offset = _offset;
        if (offset + length > _segmentBytes)
        {
            segment = 1 - segment;
            if (_lastInSegment[segment] > foldedThrough)
            {
                return false;
            }

            offset = 0;
        }

        RandomAccess.Write(_file, _buffer.AsSpan(0, length), FileHeaderBytes + (segment * _segmentBytes) + offset);
        RandomAccess.FlushToDisk(_file);
        (_segment, _offset) = (segment, offset + length);
        LastNumber += facts.Count;
        _lastInSegment[segment] = LastNumber;
        return true;
    }

    /// <summary>Removes the journal, once everything in it is folded.</summary>
    public void Delete()
    {
        _file.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The records in <paramref name="file"/>, ordered by number: in each segment those from its start that are whole and numbered in turn.</summary>
    internal static IReadOnlyList<(long Number, ProvisionFact Fact)> Read(SafeFileHandle file)
    {
        var header = new byte[FileHeaderBytes];
        if (RandomAccess.Read(file, header, 0) < FileHeaderBytes || !header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            // A journal whose creation did not finish holds no record anyone was answered on.
            return [];
        }

        var segmentBytes = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        if (segmentBytes is < 4096 or > int.MaxValue)
        {
            // Not something this hub wrote; refusing to start is better than passing over its records.
            throw new InvalidDataException($"The provision-log journal's header names a segment of {segmentBytes} bytes; the file is damaged.");
        }

        var records = new List<(long, ProvisionFact)>();
        var segment = new byte[(int)segmentBytes];
        for (var s = 0; s < 2; s++)
        {
            var read = RandomAccess.Read(file, segment, FileHeaderBytes + (s * segmentBytes));
            ReadSegment(segment.AsSpan(0, read), records);
        }

        records.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return records;
    }

    private static void ReadSegment(ReadOnlySpan<byte> segment, List<(long, ProvisionFact)> records)
    {
        long previous = 0;
        var offset = 0;
        while (offset + RecordHeaderBytes <= segment.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(segment[offset..]);
            if (length <= 0 || length > segment.Length - offset - RecordHeaderBytes)
            {
                return;
            }

            var checksum = BinaryPrimitives.ReadUInt32LittleEndian(segment[(offset + 4)..]);
            var covered = segment.Slice(offset + 8, 8 + length);
            var number = BinaryPrimitives.ReadInt64LittleEndian(covered);
            if (Crc32.HashToUInt32(covered) != checksum || (previous != 0 && number != previous + 1))
            {
                return;
            }

            records.Add((number, ProvisionChain.FactOf(ProvisionEntry.Parser.ParseFrom(covered[8..]))));
            previous = number;
            offset += RecordHeaderBytes + length;
        }
    }

    private int Serialize(IReadOnlyList<ProvisionFact> facts)
    {
        var length = 0;
        var number = LastNumber;
        foreach (var fact in facts)
        {
            var message = ProvisionChain.Canonical(0, fact, "");
            var size = message.CalculateSize();
            var end = length + RecordHeaderBytes + size;
            if (end > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(end, _buffer.Length * 2));
            }

            var record = _buffer.AsSpan(length, RecordHeaderBytes + size);
            BinaryPrimitives.WriteInt32LittleEndian(record, size);
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], ++number);
            message.WriteTo(record[RecordHeaderBytes..]);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32.HashToUInt32(record[8..]));
            length = end;
        }

        return length;
    }

    /// <summary>A journal no running hub holds, locked by this one until it is deleted or disposed.</summary>
    /// <param name="Id">Its ID.</param>
    /// <param name="Path">Its file.</param>
    /// <param name="File">Its open handle, which holds the lock.</param>
    /// <param name="Records">Its records, by number.</param>
    internal sealed record Orphan(string Id, string Path, SafeFileHandle File, IReadOnlyList<(long Number, ProvisionFact Fact)> Records) : IDisposable
    {
        /// <summary>Removes the file, once everything in it is folded.</summary>
        public void Delete()
        {
            File.Dispose();
            System.IO.File.Delete(Path);
        }

        public void Dispose() => File.Dispose();
    }
}
