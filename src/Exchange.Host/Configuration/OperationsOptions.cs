namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Operations</c> settings: the plain-HTTP port for probes and scrapes (docs/operations.md).</summary>
internal sealed class OperationsOptions
{
    public const string Section = "Exchange:Operations";

    /// <summary>The port of <c>/healthz/live</c>, <c>/healthz/ready</c> and <c>/metrics</c>; unset: not served (0 picks a free port).</summary>
    public int? Port { get; set; }

    /// <summary>The address the port is bound to: loopback unless set (e.g. 0.0.0.0 for a probe from outside the host).</summary>
    public string Address { get; set; } = "127.0.0.1";
}
