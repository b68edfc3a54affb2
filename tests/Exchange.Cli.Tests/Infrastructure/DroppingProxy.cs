using System.Net;
using System.Net.Sockets;

namespace Exchange.Cli.Tests.Infrastructure;

/// <summary>
/// A TCP relay to the hub on loopback that drops the first connection made through it as soon as
/// it is accepted, as a network does, and relays every later one: TLS passes through untouched.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _hub;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public DroppingProxy(Uri hub)
    {
        _hub = hub;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The address to call the hub at through the relay.</summary>
    public Uri Address => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far, the dropped one included.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (Interlocked.Increment(ref _connections) == 1)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var hub = new TcpClient())
        {
            await hub.ConnectAsync(_hub.Host, _hub.Port, _stop.Token);
            var up = client.GetStream().CopyToAsync(hub.GetStream(), _stop.Token);
            var down = hub.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
