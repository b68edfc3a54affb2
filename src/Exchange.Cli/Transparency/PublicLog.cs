using System.Globalization;
using System.Net;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;

namespace Exchange.Cli.Transparency;

/// <summary>
/// The transparency log on the hub's public HTTPS endpoint (no client certificate): the latest
/// checkpoint and the proofs, as plain text (docs/transparency.md).
/// </summary>
internal sealed class PublicLog : IDisposable
{
    private readonly HttpClient _http;

    private PublicLog(HttpClient http) => _http = http;

    /// <summary>
    /// A client of <paramref name="endpoint"/>; its certificate must chain to the CA file
    /// <paramref name="caPath"/> when that exists, else to the system's roots.
    /// </summary>
    public static PublicLog Open(string endpoint, string caPath, TimeSpan timeout)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliException(ExitCodes.Usage, $"--endpoint '{endpoint}' is not an https:// address (the hub's public endpoint)");
        }

        HttpMessageHandler handler = File.Exists(caPath) ? MutualTlsChannel.CreateHandler(null, PemFiles.LoadCertificates(caPath)) : new SocketsHttpHandler();
        return new PublicLog(new HttpClient(handler) { BaseAddress = address, Timeout = timeout });
    }

    /// <summary>The latest checkpoint's note, cosignatures included.</summary>
    public Task<string> CheckpointAsync(CancellationToken cancellationToken) => GetAsync("/log/checkpoint", cancellationToken);

    /// <summary>The consistency proof from <paramref name="first"/> to <paramref name="second"/>.</summary>
    public async Task<IReadOnlyList<byte[]>> ConsistencyAsync(long first, long second, CancellationToken cancellationToken)
    {
        var lines = Lines(await GetAsync(Invariant($"/log/proof/consistency?first={first}&second={second}"), cancellationToken).ConfigureAwait(false));
        return Hashes(lines, 2);
    }

    /// <summary>The inclusion proof of entry <paramref name="sequence"/> in the tree of <paramref name="size"/>, and the entry hash the hub states.</summary>
    public async Task<(string EntryHash, IReadOnlyList<byte[]> Proof)> InclusionAsync(long sequence, long size, CancellationToken cancellationToken)
    {
        var lines = Lines(await GetAsync(Invariant($"/log/proof/inclusion?sequence={sequence}&size={size}"), cancellationToken).ConfigureAwait(false));
        return lines.Length >= 3 ? (lines[2], Hashes(lines, 3)) : throw Malformed();
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> GetAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unavailable, $"cannot reach the hub's public endpoint {_http.BaseAddress}: {e.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => text,
                HttpStatusCode.BadRequest => throw new CliException(ExitCodes.Usage, $"the hub refused: {text.Trim()}"),
                HttpStatusCode.NotFound => throw new CliException(ExitCodes.NotFound, $"the hub refused: {text.Trim()}"),
                _ => throw new CliException(ExitCodes.Unavailable, $"the hub answered {(int)response.StatusCode}: {text.Trim()}"),
            };
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static List<byte[]> Hashes(string[] lines, int skip)
    {
        var hashes = new List<byte[]>();
        foreach (var line in lines.Skip(skip))
        {
            var hash = new byte[32];
            hashes.Add(Convert.TryFromBase64String(line, hash, out var written) && written == 32 ? hash : throw Malformed());
        }

        return hashes;
    }

    private static CliException Malformed() => new(ExitCodes.NotIntact, "the hub served a proof that is not one (a line that is not a base64 SHA-256 hash)");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
