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

    [Fact]
    public void A_cosignature_is_the_C2SP_cosignature_v1_line_and_checks_only_over_its_checkpoint_with_its_witness_key()
    {
        using var witness = NoteKey.CreateWitness("witness.test");
        using var other = NoteKey.CreateWitness("witness.test");
        using var logKey = NoteKey.Create("witness.test");
        var body = TreeCheckpoint.Body("exchange.test/provision-log", 5, new byte[32]);
        var time = DateTimeOffset.FromUnixTimeSeconds(1_765_000_000);

        var line = witness.Cosign(body, time);

        // Written out from the spec: key ID over 0x04, 8-byte big-endian time, Ed25519 over the cosigned message.
        var blob = Convert.FromBase64String(line["\u2014 witness.test ".Length..]);
        var keyId = System.Security.Cryptography.SHA256.HashData([.. "witness.test\n"u8, 0x04, .. witness.PublicKey])[..4];
        Assert.Equal(keyId, blob[..4]);
        Assert.Equal(1_765_000_000UL, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(4, 8)));
        var publicKey = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, witness.PublicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        Assert.True(NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(publicKey, System.Text.Encoding.UTF8.GetBytes("cosignature/v1\ntime 1765000000\n" + body), blob[12..]));
        Assert.StartsWith("witness.test+" + Convert.ToHexStringLower(keyId) + "+B", witness.VerifierKey, StringComparison.Ordinal);

        Assert.Equal(time, NoteKey.CheckCosignature(witness.VerifierKey, body, line, out _));
        Assert.Null(NoteKey.CheckCosignature(witness.VerifierKey, body.Replace("\n5\n", "\n6\n", StringComparison.Ordinal), line, out var altered));
        Assert.Contains("does not verify", altered, StringComparison.Ordinal);
        Assert.Null(NoteKey.CheckCosignature(other.VerifierKey, body, line, out var another));
        Assert.Contains("key ID", another, StringComparison.Ordinal);
        Assert.Null(NoteKey.CheckCosignature(logKey.VerifierKey, body, line, out _));
        Assert.False(NoteKey.IsWitnessVerifierKey(logKey.VerifierKey));
        Assert.Throws<ArgumentException>(() => logKey.Cosign(body, time));
        Assert.Throws<ArgumentException>(() => witness.Sign(body));
        using var read = NoteKey.Parse(witness.SignerKey());
        Assert.Equal((witness.VerifierKey, true), (read.VerifierKey, read.IsWitness));
    }
}
