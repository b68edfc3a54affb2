using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Stores;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The provision-log journal's file on disk: what reading it back finds after a stop at any point.</summary>
public sealed class ProvisionJournalTests : IDisposable
{
    private const long SmallSegment = 4096;
    private readonly string _directory = Directory.CreateTempSubdirectory("exchange-journal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Records_read_back_whole_and_in_order_with_every_field()
    {
        var facts = Enumerable.Range(1, 5).Select(Fact).Append(Refusal()).ToList();
        using (var journal = ProvisionJournal.Create(_directory, SmallSegment))
        {
            Assert.True(journal.TryAppend(facts[..2], 0));
            Assert.True(journal.TryAppend(facts[2..], 0));
            Assert.Equal(6, journal.LastNumber);
        }

        var records = ReadOrphan().Records;

        Assert.Equal([1L, 2, 3, 4, 5, 6], records.Select(r => r.Number));
        Assert.Equal(facts, records.Select(r => r.Fact), FactComparer.Instance);
    }

    [Fact]
    public void Segment_is_reused_only_once_everything_in_it_is_folded_and_what_it_held_before_is_not_read_again()
    {
        var number = 0;
        using (var journal = ProvisionJournal.Create(_directory, SmallSegment))
        {
            while (journal.TryAppend([Fact(++number)], 0))
            {
            }

            // Both segments are full of records not folded: nothing more fits.
            var full = journal.LastNumber;
            Assert.Equal(full, number - 1);
            Assert.False(journal.TryAppend([Fact(number)], 1));

            // Once everything is folded, the first segment is written again from its start.
            Assert.True(journal.TryAppend([Fact(number)], full));
            Assert.True(journal.TryAppend([Fact(number + 1)], full));
        }

        var records = ReadOrphan().Records;

        // The second segment's records and the two new ones; the first segment's older ones are gone.
        var numbers = records.Select(r => r.Number).ToList();
        Assert.Equal(Enumerable.Range((int)numbers[0], numbers.Count).Select(n => (long)n), numbers);
        Assert.True(numbers[0] > 1);
        Assert.Equal(number + 1, numbers[^1]);
        Assert.All(records, r => Assert.Equal("call_" + r.Number, r.Fact.CallId));
    }

    [Fact]
    public void Torn_last_write_ends_reading_at_the_last_whole_record()
    {
        string path;
        using (var journal = ProvisionJournal.Create(_directory, SmallSegment))
        {
            Assert.True(journal.TryAppend([Fact(1), Fact(2)], 0));
            Assert.True(journal.TryAppend([Fact(3)], 0));
            path = journal.Path;
        }

        // A stop in the middle of the last write: its record's tail never reached the disk.
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var bytes = new byte[16 + SmallSegment];
            RandomAccess.Read(file, bytes, 0);
            var end = Array.FindLastIndex(bytes, b => b != 0);
            RandomAccess.Write(file, new byte[8], end - 7);
        }

        Assert.Equal([1L, 2], ReadOrphan().Records.Select(r => r.Number));
    }

    [Fact]
    public void Journal_of_a_running_hub_is_no_orphan_and_becomes_one_when_it_is_closed()
    {
        var journal = ProvisionJournal.Create(_directory, SmallSegment);
        Assert.True(journal.TryAppend([Fact(1)], 0));

        Assert.Empty(ProvisionJournal.FindOrphans(_directory));

        journal.Dispose();
        using var orphan = Assert.Single(ProvisionJournal.FindOrphans(_directory));
        Assert.Equal(journal.Id, orphan.Id);
        Assert.Equal(1, Assert.Single(orphan.Records).Number);
    }

    [Fact]
    public void Deleting_a_journal_removes_its_file()
    {
        var journal = ProvisionJournal.Create(_directory, SmallSegment);
        Assert.True(File.Exists(journal.Path));

        journal.Delete();

        Assert.Empty(Directory.EnumerateFiles(_directory));
    }

    private ProvisionJournal.Orphan ReadOrphan()
    {
        var orphans = ProvisionJournal.FindOrphans(_directory).ToList();
        orphans.ForEach(o => o.Dispose());
        return Assert.Single(orphans);
    }

    private static ProvisionFact Fact(int call) => new(
        DateTimeOffset.UnixEpoch.AddTicks(call * 12_345_678L), "garage-kaminoyama", "group-lotus", call % 2 == 0 ? "vendor-broadleaf" : null, "subject-" + call, ["contact.name", "contact.phone"], "marketing", 2, new string('a', 64), "call_" + call, ProvisionOutcome.Provided, null);

    private static ProvisionFact Refusal() => new(
        DateTimeOffset.UnixEpoch, "*", "vendor-broadleaf", null, null, ["contact"], "marketing", 2, new string('b', 64), "call_refused", ProvisionOutcome.Refused, "purpose.not-granted");

    // Records hold their items in a list, which record equality compares by reference.
    private sealed class FactComparer : IEqualityComparer<ProvisionFact>
    {
        public static readonly FactComparer Instance = new();
        private static readonly string[] NoItems = [];

        public bool Equals(ProvisionFact? x, ProvisionFact? y) =>
            x is not null && y is not null && x.Items.SequenceEqual(y.Items) && x with { Items = NoItems } == y with { Items = NoItems };

        public int GetHashCode(ProvisionFact obj) => obj.CallId.GetHashCode(StringComparison.Ordinal);
    }
}
