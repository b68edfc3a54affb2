using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Exchange.Host.Console;

/// <summary>The console's listener once Kestrel has bound it (port 0 resolved), for the start-up log line and tests.</summary>
internal sealed class ConsoleListener
{
    public ListenOptions? Options { get; set; }

    /// <summary>The console's address, e.g. https://127.0.0.1:7445/console, when it is served.</summary>
    public Uri? Address => Options?.IPEndPoint is { } endPoint ? new Uri($"https://{endPoint}{ConsoleEndpoint.Prefix}") : null;
}
