namespace Exchange.Host.Console;

/// <summary>The <c>Exchange:Console</c> settings: the operators' web console (docs/console.md).</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Exchange:Console";

    /// <summary>Where the console listens (HTTPS with the hub's server certificate, no client certificate); unset: no console.</summary>
    public Uri? Listen { get; set; }

    /// <summary>
    /// The sign-in name of a first operator to create at start when no account has it, for the
    /// administrator party <see cref="Configuration.HubOptions.BootstrapAdministrator"/> (or the development
    /// PKI's <c>admin</c>); its one-time password is written to the log once.
    /// </summary>
    public string? BootstrapOperator { get; set; }

    /// <summary>How long a session lasts without a request.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
