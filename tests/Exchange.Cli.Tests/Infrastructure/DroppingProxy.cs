using System.Net;
using System.Net.Sockets;

namespace Exchange.Cli.Tests.Infrastructure;

/// <summary>
/// A TCP relay to the hub on loopback that drops the first connection made through it as soon as
/// it is accepted, as a network does (unless told not to), and relays every later one until
/// <see cref="Sever"/> cuts those open: TLS passes through untouched.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _hub;
    private readonly bool _dropFirst;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<TcpClient> _relayed = [];
    private int _connections;

    public DroppingProxy(Uri hub, bool dropFirst = true)
    {
        _hub = hub;
        _dropFirst = dropFirst;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The address to call the hub at through the relay.</summary>
    public Uri Address => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far, the dropped one included.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Resets every connection relayed so far, as a network that fails does; later ones are relayed again.</summary>
    public void Sever()
    {
        lock (_relayed)
        {
            foreach (var client in _relayed)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _relayed.Clear();
        }
    }

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
            if (Interlocked.Increment(ref _connections) == 1 && _dropFirst)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            lock (_relayed)
            {
                _relayed.Add(client);
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
