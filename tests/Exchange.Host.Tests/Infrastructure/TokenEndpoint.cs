using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Exchange.Protocol.Client;
using Grpc.Core;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>The hub's token endpoint over mutual TLS (plain HTTPS, HTTP/1.1), as any partner's HTTP client calls it.</summary>
public static class TokenEndpoint
{
    public const string Exchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>Posts <paramref name="form"/> to /connect/token presenting <paramref name="certificate"/>; the status and the JSON answer.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestHub hub, X509Certificate2? certificate, params (string Name, string Value)[] form)
    {
        using var client = new HttpClient(MutualTlsChannel.CreateHandler(certificate, hub.TrustAnchors)) { BaseAddress = hub.Address };
        using var content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        using var response = await client.PostAsync(new Uri("connect/token", UriKind.Relative), content, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    /// <summary>A client-credentials access token for <paramref name="party"/>'s system, bound to its certificate.</summary>
    public static async Task<string> ClientCredentialsAsync(TestHub hub, X509Certificate2 certificate, string party, string? scope = null)
    {
        var form = new List<(string, string)> { ("grant_type", "client_credentials"), ("client_id", party) };
        if (scope is not null)
        {
            form.Add(("scope", scope));
        }

        var (status, body) = await PostAsync(hub, certificate, [.. form]);
        Assert.True(status == HttpStatusCode.OK, $"token request failed: {status} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Call options carrying <paramref name="token"/> as a bearer token.</summary>
    public static CallOptions Bearer(string token) =>
        new(new Metadata { { "authorization", "Bearer " + token } }, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The claims of a JWT's payload, or its header for <paramref name="part"/> 0 (read, not verified).</summary>
    public static JsonElement Claims(string token, int part = 1)
    {
        var payload = token.Split('.')[part].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }
}
