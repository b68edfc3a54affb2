namespace Exchange.Domain.Oversight;

/// <summary>The operator's choices for oversight, from configuration.</summary>
/// <param name="SensitiveItems">Items whose leak is reportable by itself (APPI Art. 26); the hub screens out 要配慮個人情報, so by default none.</param>
/// <param name="DiscloseExceptionalByDefault">Whether a person's report shows an exceptional provision when its record does not say.</param>
/// <param name="ReportThreshold">Persons above which an incident is reportable by its size alone (Art. 26 rules: 1,000).</param>
public sealed record OversightSettings(IReadOnlySet<string> SensitiveItems, bool DiscloseExceptionalByDefault, int ReportThreshold = 1000);
