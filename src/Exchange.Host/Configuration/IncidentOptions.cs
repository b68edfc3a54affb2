namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Incidents</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class IncidentOptions
{
    /// <summary>
    /// Declared items whose leak is reportable by itself (APPI Art. 26). None by default: the hub
    /// refuses 要配慮個人情報 at the edge, so only an item the operator judges so is listed here.
    /// </summary>
    public List<string> SensitiveItems { get; set; } = [];

    /// <summary>Whether a person's report shows an exceptional provision whose record does not say (default: no).</summary>
    public bool DiscloseExceptionalByDefault { get; set; }
}
