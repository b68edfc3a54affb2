using Exchange.Host.Configuration;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// Wires the token service (OpenIddict's server in degraded mode: the party registry is its client
/// registry, tokens are stateless signed JWTs) and the check of tokens on gRPC calls. See docs/tokens.md.
/// </summary>
internal static class TokenServiceExtensions
{
    public const string TokenPath = "/connect/token";

    public static IServiceCollection AddTokenService(this IServiceCollection services)
    {
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        services.AddSingleton<TokenKeys>();
        services.AddScoped<TokenStanding>();
        services.AddOpenIddict()
            .AddServer(server =>
            {
                server.EnableDegradedMode();
                server.SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetAuthorizationEndpointUris(AuthorizationEndpoint.Path.TrimStart('/'))
                    .SetConfigurationEndpointUris(".well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");
                server.AllowClientCredentialsFlow().AllowTokenExchangeFlow().AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.UseClientCertificateBoundAccessTokens();
                // Scopes are the purposes granted in the registry and audiences are garages' party IDs:
                // TokenIssuance checks both against the database, where OpenIddict would want a static list.
                server.DisableScopeValidation().DisableAudienceValidation();
                // Access tokens are read by partners' tools too; authorization codes stay encrypted.
                server.DisableAccessTokenEncryption();
                server.UseAspNetCore().EnableAuthorizationEndpointPassthrough();
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseScopedHandler<TokenClientAuthentication>());
                server.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(handler => handler.UseScopedHandler<TokenIssuance>());
                server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseScopedHandler<AuthorizationRequestCheck>());
                server.AddEventHandler<OpenIddictServerEvents.HandleConfigurationRequestContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        // The only client authentication the token endpoint accepts (RFC 8705).
                        context.TokenEndpointAuthenticationMethods.Clear();
                        context.TokenEndpointAuthenticationMethods.Add(ClientAuthenticationMethods.TlsClientAuth);
                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.Discovery.AttachClientAuthenticationMethods.Descriptor.Order + 1));
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });
        services.AddOptions<OpenIddictServerOptions>().Configure<TokenKeys, IOptions<TokenOptions>, IOptions<HubOptions>>((server, keys, tokens, hub) =>
        {
            server.Issuer = tokens.Value.IssuerFor(hub.Value.TrustDomain);
            server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
            server.AuthorizationCodeLifetime = tokens.Value.AuthorizationCodeLifetime;
            server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
            server.SigningCredentials.Add(new SigningCredentials(keys.SigningKey, SecurityAlgorithms.EcdsaSha256));
            server.EncryptionCredentials.Add(new EncryptingCredentials(keys.EncryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        });
        services.AddOptions<OpenIddictValidationOptions>().Configure<IOptions<TokenOptions>, IOptions<HubOptions>>((validation, tokens, hub) =>
            validation.Issuer = tokens.Value.IssuerFor(hub.Value.TrustDomain));
        // After the caller-identity interceptor, which HubApplication adds first: the token is checked against the certificate's party.
        services.AddSingleton<BearerTokenInterceptor>();
        services.Configure<GrpcServiceOptions>(grpc => grpc.Interceptors.Add<BearerTokenInterceptor>());
        return services;
    }

    /// <summary>The token, authorization and discovery endpoints; after the public and operations endpoints' filters, which keep them off those listeners, and after authentication (<c>UseHubConsole</c>).</summary>
    public static void MapTokenService(this WebApplication app) => AuthorizationEndpoint.Map(app);
}
