using Exchange.Storage.Entities;

namespace Exchange.Storage.Tests.Entities;

/// <summary>Hex identifiers stored as their bytes: canonical ones compact, every other one still read back exactly.</summary>
public sealed class CompactHexTests
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void Canonical_identifiers_are_stored_as_their_bytes_and_read_back()
    {
        Assert.Equal(32, CompactHex.Hash.Encode(Hash).Length);
        Assert.Equal(Hash, CompactHex.Hash.Decode(CompactHex.Hash.Encode(Hash)));
        Assert.Equal(16, CompactHex.Subject.Encode("sub_0123456789abcdef0123456789abcdef").Length);
        Assert.Equal("sub_0123456789abcdef0123456789abcdef", CompactHex.Subject.Decode(CompactHex.Subject.Encode("sub_0123456789abcdef0123456789abcdef")));
        Assert.Equal(16, CompactHex.Call.Encode("call_0193d3f4a1b27c4e8f00112233445566").Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("subject-a")]
    [InlineData("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0")]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08a")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("sub_0123456789abcdef0123456789abcdeg")]
    [InlineData("ガレージ")]
    public void Any_other_text_reads_back_exactly_and_is_never_taken_for_a_canonical_identifier(string text)
    {
        foreach (var form in new[] { CompactHex.Hash, CompactHex.Subject, CompactHex.Call })
        {
            var encoded = form.Encode(text);
            Assert.NotEqual(form.Length, encoded.Length);
            Assert.Equal(text, form.Decode(encoded));
        }
    }

    [Fact]
    public void Bytes_no_identifier_encodes_to_read_as_text_no_identifier_has()
    {
        // As if written by hand: hex text where the bytes belong, a marker inside the text, nothing.
        foreach (var stored in new byte[][] { System.Text.Encoding.ASCII.GetBytes(Hash), [0, 0x61, 0, 0x62], [], [1, 2, 3] })
        {
            Assert.StartsWith("\uFFFD", CompactHex.Hash.Decode(stored), StringComparison.Ordinal);
        }
    }
}
