using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Exchange.Protocol.Client;
using Google.Protobuf;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// gRPC spoken by hand over HttpClient, to check what the hub puts on the wire (headers,
/// trailers, framing, compression) without a gRPC client library in between.
/// </summary>
public sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _http;

    public RawGrpc(TestHub hub, string party)
    {
        _http = new HttpClient(MutualTlsChannel.CreateHandler(hub.ClientCertificate(party), hub.TrustAnchors))
        {
            BaseAddress = hub.Address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public static byte[] Frame(IMessage message, bool compress = false) => Frame(message.ToByteArray(), compress);

    /// <summary>A gRPC frame of <paramref name="body"/> as given: any bytes, a message or not.</summary>
    public static byte[] Frame(byte[] body, bool compress = false)
    {
        if (compress)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(body);
            }

            body = buffer.ToArray();
        }

        var frame = new byte[5 + body.Length];
        frame[0] = compress ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Splits a response body into (compressed flag, payload) frames.</summary>
    public static List<(bool Compressed, byte[] Payload)> Unframe(byte[] body)
    {
        var frames = new List<(bool, byte[])>();
        var offset = 0;
        while (offset < body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            frames.Add((body[offset] == 1, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return frames;
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public async Task<(HttpResponseMessage Response, byte[] Body)> PostAsync(string path, byte[] body, string contentType = "application/grpc", IDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (response, bytes);
    }

    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    public static string? Status(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single()
        : response.Headers.TryGetValues("grpc-status", out var h) ? h.Single() : null;

    /// <summary>grpc-message (percent-decoded) from the trailers, or from the headers of a trailers-only response.</summary>
    public static string? Message(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-message", out var t) ? Uri.UnescapeDataString(t.Single())
        : response.Headers.TryGetValues("grpc-message", out var h) ? Uri.UnescapeDataString(h.Single()) : null;

    public void Dispose() => _http.Dispose();
}
