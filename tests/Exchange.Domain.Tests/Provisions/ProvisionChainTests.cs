using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Tests.Provisions;

public sealed class ProvisionChainTests : IDisposable
{
    private readonly TestLogSigner _signer = new();

    private static ProvisionFact Fact(int i) => new(
        DateTimeOffset.UnixEpoch.AddMinutes(i), "garage-a", "group-lotus", null, $"sub_{i}", ["contact.name"], "marketing", 1, new string('a', 64), $"call_{i}", ProvisionOutcome.Provided, null);

    private static async IAsyncEnumerable<ChainedProvision> Async(IEnumerable<ChainedProvision> entries)
    {
        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }

    [Fact]
    public async Task Linked_chain_verifies()
    {
        var chain = ProvisionChain.Link(0, ProvisionChain.Genesis, Enumerable.Range(1, 5).Select(Fact));
        var checkpoint = new ProvisionCheckpoint(3, chain[2].EntryHash, DateTimeOffset.UnixEpoch, _signer.Sign(ProvisionChain.CheckpointPayload(3, chain[2].EntryHash, DateTimeOffset.UnixEpoch)));

        var result = await ProvisionChain.VerifyAsync(Async(chain), [checkpoint], _signer, CancellationToken.None);

        Assert.True(result.Intact, result.Problem);
        Assert.Equal((5L, 1L), (result.EntriesChecked, result.CheckpointsChecked));
    }

    [Fact]
    public void An_entry_without_a_staff_member_hashes_as_entries_did_before_staff_IDs_existed()
    {
        // Pinned from the chain as written before ProvisionEntry.staff_id: an empty field is not encoded.
        Assert.Equal("3e91ce74320fdc6dce68512a643a36b52659c82959aab4d63178644b65960c3d", ProvisionChain.Hash(1, Fact(1), ProvisionChain.Genesis));
        Assert.NotEqual(ProvisionChain.Hash(1, Fact(1), ProvisionChain.Genesis), ProvisionChain.Hash(1, Fact(1) with { StaffId = "stf_0a1b2c" }, ProvisionChain.Genesis));
    }

    [Fact]
    public async Task Changing_the_acting_staff_member_breaks_that_entry()
    {
        var chain = ProvisionChain.Link(0, ProvisionChain.Genesis, Enumerable.Range(1, 5).Select(i => Fact(i) with { StaffId = "stf_0a1b2c" })).ToList();
        chain[2] = chain[2] with { Fact = chain[2].Fact with { StaffId = "stf_ffffff" } };

        var result = await ProvisionChain.VerifyAsync(Async(chain), [], _signer, CancellationToken.None);

        Assert.False(result.Intact);
        Assert.Equal(3L, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Changing_any_field_breaks_that_entry()
    {
        var chain = ProvisionChain.Link(0, ProvisionChain.Genesis, Enumerable.Range(1, 5).Select(Fact)).ToList();
        chain[3] = chain[3] with { Fact = chain[3].Fact with { Items = ["contact.name", "contact.phone"] } };

        var result = await ProvisionChain.VerifyAsync(Async(chain), [], _signer, CancellationToken.None);

        Assert.Equal(4, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Missing_entry_is_reported()
    {
        var chain = ProvisionChain.Link(0, ProvisionChain.Genesis, Enumerable.Range(1, 5).Select(Fact)).ToList();
        chain.RemoveAt(1);

        var result = await ProvisionChain.VerifyAsync(Async(chain), [], _signer, CancellationToken.None);

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_is_stable_for_the_same_fact() =>
        Assert.Equal(ProvisionChain.Hash(1, Fact(1), ProvisionChain.Genesis), ProvisionChain.Hash(1, Fact(1) with { Items = ["contact.name"] }, ProvisionChain.Genesis));

    public void Dispose() => _signer.Dispose();
}
