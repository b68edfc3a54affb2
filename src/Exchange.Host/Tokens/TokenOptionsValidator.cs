using Microsoft.Extensions.Options;

namespace Exchange.Host.Tokens;

/// <summary>Refuses, on start, an issuer OpenIddict would refuse later, on the first request.</summary>
internal sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        if (options.Issuer is { } issuer && (!issuer.IsAbsoluteUri || issuer.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment)))
        {
            return ValidateOptionsResult.Fail($"{TokenOptions.Section}:Issuer must be an absolute https address without query or fragment; '{issuer}' is not.");
        }

        return ValidateOptionsResult.Success;
    }
}
