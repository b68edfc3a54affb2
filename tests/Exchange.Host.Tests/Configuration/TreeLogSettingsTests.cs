using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Tests.Configuration;

/// <summary>The transparency log's key checked on start: a file of its own outside Development, named after the log's origin.</summary>
public sealed class TreeLogSettingsTests
{
    [Fact]
    public async Task Outside_development_the_hub_refuses_to_start_without_a_configured_log_key()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(environment: "Production"));

        Assert.Contains(error.Failures, f => f.StartsWith("Exchange:TreeLog:KeyFile must name the provision log's note signer key outside the Development environment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_key_named_for_another_origin_is_refused_at_start()
    {
        var path = Path.Combine(Path.GetTempPath(), "exchange-tree-log-" + Guid.NewGuid().ToString("N")[..12] + ".key");
        using (var key = NoteKey.Create("elsewhere.example/log"))
        {
            await File.WriteAllTextAsync(path, key.SignerKey(), TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:TreeLog:KeyFile"] = path }));

        Assert.Contains("is named elsewhere.example/log, not the log's origin exchange.local/provision-log", error.ToString(), StringComparison.Ordinal);
        File.Delete(path);
    }

    [Fact]
    public async Task Witnesses_with_a_log_key_in_place_of_a_witness_key_a_party_twice_or_an_unreachable_quorum_are_refused_at_start()
    {
        using var witness = NoteKey.CreateWitness("witness.example");
        using var logKey = NoteKey.Create("witness.example");
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:TreeLog:Witnesses:0:Party"] = "group-lotus",
            ["Exchange:TreeLog:Witnesses:0:VerifierKey"] = logKey.VerifierKey,
            ["Exchange:TreeLog:Witnesses:1:Party"] = "group-lotus",
            ["Exchange:TreeLog:Witnesses:1:VerifierKey"] = witness.VerifierKey,
            ["Exchange:TreeLog:Quorum"] = "3",
        }));

        Assert.Contains(error.Failures, f => f.StartsWith("Exchange:TreeLog:Witnesses:0:VerifierKey must be a witness's cosignature/v1 verifier key", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Exchange:TreeLog:Witnesses names a party twice", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Exchange:TreeLog:Quorum must be 1 to the number of witnesses (2)", StringComparison.Ordinal));
    }
}
