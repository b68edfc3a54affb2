using System.CommandLine;
using System.CommandLine.Parsing;
using Exchange.Domain.Provisions;

namespace Exchange.Cli.Transparency;

/// <summary>
/// What a partner checking the transparency log gives: the log's verifier key, the hub's public
/// endpoint, and the witnesses it trusts with how many of them must have cosigned.
/// </summary>
internal sealed class PartnerOptions
{
    public Option<string> LogKey { get; } = new("--log-key") { Description = "The log's verifier key <origin>+<key ID>+<base64 key>, taken out of band", HelpName = "key" };

    public Option<string> Endpoint { get; } = new("--endpoint") { Description = "The hub's public HTTPS endpoint (no client certificate), e.g. https://hub.example:7444", HelpName = "url" };

    public Option<string[]> Witnesses { get; } = new("--witness") { Description = "A witness's verifier key whose cosignature you trust (repeat for several)", HelpName = "key" };

    public Option<int?> Quorum { get; } = new("--quorum") { Description = "How many of the --witness keys must have cosigned [default: all of them]", HelpName = "n" };

    public void AddTo(Command command)
    {
        command.Options.Add(LogKey);
        command.Options.Add(Endpoint);
        command.Options.Add(Witnesses);
        command.Options.Add(Quorum);
    }

    public void Validate(CommandResult result, bool asPartner)
    {
        var witnesses = result.GetValue(Witnesses) ?? [];
        if (!asPartner && (result.GetValue(Endpoint) is not null || witnesses.Length > 0 || result.GetValue(Quorum) is not null))
        {
            result.AddError("--endpoint, --witness and --quorum need --log-key.");
        }

        if (asPartner && result.GetValue(Endpoint) is null)
        {
            result.AddError("--log-key needs --endpoint, the hub's public HTTPS endpoint.");
        }

        foreach (var witness in witnesses.Where(w => !NoteKey.IsWitnessVerifierKey(w)))
        {
            result.AddError($"--witness '{witness}' is not a witness's verifier key (<name>+<key ID hex>+<base64 of 0x04 and the key>).");
        }

        if (result.GetValue(Quorum) is { } quorum && (quorum < 0 || quorum > witnesses.Length))
        {
            result.AddError($"--quorum must be 0 to the number of --witness keys ({witnesses.Length}).");
        }
    }

    public PublicLog Open(CommandContext context) =>
        PublicLog.Open(context.Value(Endpoint)!, context.Environment.Resolve(context.Result.GetValue(context.Options.Ca)!), TimeSpan.FromSeconds(context.Result.GetValue(context.Options.Timeout)));

    public async Task<SignedTreeHead> OpenCheckpointAsync(CommandContext context, PublicLog log) =>
        SignedTreeHead.Open(await log.CheckpointAsync(context.CancellationToken).ConfigureAwait(false), context.Value(LogKey)!);

    /// <summary>The names of the given witnesses that cosigned <paramref name="head"/>; exit code 7 when fewer than the quorum did.</summary>
    public IReadOnlyList<string> RequireQuorum(CommandContext context, SignedTreeHead head)
    {
        var witnesses = context.Value(Witnesses) ?? [];
        var lines = head.Note[(head.Body.Length + 1)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var cosigners = witnesses.Where(w => lines.Any(line => NoteKey.CheckCosignature(w, head.Body, line, out _) is not null)).Select(NoteKey.NameOf).ToList();
        var quorum = context.Value(Quorum) ?? witnesses.Length;
        if (cosigners.Count < quorum)
        {
            throw new CliException(ExitCodes.NotIntact, $"the checkpoint of tree size {head.Size} is cosigned by {cosigners.Count} of the witnesses given, fewer than the {quorum} required" +
                (cosigners.Count > 0 ? $" ({string.Join(", ", cosigners)})" : "") + "; the witnesses may not have seen it yet: try again after their next round");
        }

        return cosigners;
    }
}
