using Exchange.Domain.Provisions;

namespace Exchange.Domain.Tests.Provisions;

public sealed class NoteKeyTests
{
    [Fact]
    public void A_signed_checkpoint_opens_with_the_verifier_key_and_not_when_altered_or_with_another_key()
    {
        using var key = NoteKey.Create("exchange.test/provision-log");
        using var other = NoteKey.Create("exchange.test/provision-log");
        var body = TreeCheckpoint.Body(key.Name, 5, new byte[32]);
        var note = key.Sign(body);

        Assert.Equal(body, NoteKey.Open(note, key.VerifierKey));
        Assert.Null(NoteKey.Open(note.Replace("\n5\n", "\n6\n", StringComparison.Ordinal), key.VerifierKey));
        Assert.Null(NoteKey.Open(note, other.VerifierKey));
        Assert.StartsWith("exchange.test/provision-log+", key.VerifierKey, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signer_key_reads_back_as_the_same_key_and_a_tampered_one_is_refused()
    {
        using var key = NoteKey.Create("log");
        using var read = NoteKey.Parse(key.SignerKey());
        Assert.Equal(key.VerifierKey, read.VerifierKey);

        // Base64 has '+' in it: keys whose text has one read back too.
        for (var i = 0; i < 40; i++)
        {
            using var any = NoteKey.Create("log");
            using var again = NoteKey.Parse(any.SignerKey());
            Assert.Equal(any.VerifierKey, again.VerifierKey);
            Assert.NotNull(NoteKey.Open(any.Sign("log\n1\nAA==\n"), any.VerifierKey));
        }

        Assert.Throws<FormatException>(() => NoteKey.Parse(key.SignerKey().Replace("PRIVATE+KEY+log+", "PRIVATE+KEY+gol+", StringComparison.Ordinal)));
        Assert.Throws<FormatException>(() => NoteKey.Parse("log+00000000+AAAA"));
    }
}
