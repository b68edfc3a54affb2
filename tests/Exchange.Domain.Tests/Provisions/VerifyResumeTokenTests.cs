using Exchange.Domain.Provisions;

namespace Exchange.Domain.Tests.Provisions;

public sealed class VerifyResumeTokenTests : IDisposable
{
    private static readonly DateTimeOffset Issued = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly ChainPosition Position = new(812, new string('c', 64), 812, 3, 800, new string('d', 64));
    private readonly TestLogSigner _signer = new();

    [Fact]
    public void Token_gives_back_the_position_and_start_it_was_issued_for()
    {
        var token = VerifyResumeToken.Issue(Position, Issued.AddMinutes(-5), Issued, _signer);

        Assert.Equal((Position, Issued.AddMinutes(-5)), VerifyResumeToken.Open(token, Issued.AddHours(1), _signer));
    }

    [Fact]
    public void Token_older_than_its_lifetime_is_refused()
    {
        var token = VerifyResumeToken.Issue(Position, Issued, Issued, _signer);

        var error = Assert.Throws<ExchangeException>(() => VerifyResumeToken.Open(token, Issued + VerifyResumeToken.Lifetime + TimeSpan.FromSeconds(1), _signer));

        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_signed_by_another_key_is_refused()
    {
        using var other = new TestLogSigner();
        var token = VerifyResumeToken.Issue(Position, Issued, Issued, other);

        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<ExchangeException>(() => VerifyResumeToken.Open(token, Issued, _signer)).Kind);
    }

    public void Dispose() => _signer.Dispose();
}
