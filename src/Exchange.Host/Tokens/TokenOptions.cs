using System.ComponentModel.DataAnnotations;

namespace Exchange.Host.Tokens;

/// <summary>The token service's settings (<c>Exchange:Tokens</c>); see docs/tokens.md.</summary>
internal sealed class TokenOptions
{
    public const string Section = "Exchange:Tokens";

    /// <summary>
    /// The issuer named in every token and in the discovery document: the hub's public HTTPS base
    /// address. Unset, it is <c>https://{TrustDomain}/</c>, so that every instance names the same issuer.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>How long an access token is accepted.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "Exchange:Tokens:AccessTokenLifetime must lie between 10 seconds and 1 hour.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an authorization code may wait to be redeemed.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:10:00", ErrorMessage = "Exchange:Tokens:AuthorizationCodeLifetime must lie between 10 seconds and 10 minutes.")]
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The issuer for <paramref name="trustDomain"/> when none is configured.</summary>
    public Uri IssuerFor(string trustDomain) => Issuer ?? new Uri($"https://{trustDomain}/");
}
