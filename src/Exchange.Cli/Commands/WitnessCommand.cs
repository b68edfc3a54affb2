using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Transparency;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Grpc.Core;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange witness</c>: checks each new checkpoint of the provision log against the last one it
/// cosigned (the log's signature, then a consistency proof), and only then cosigns it (C2SP
/// <c>tlog-cosignature</c>) and submits the cosignature to the hub.
/// </summary>
internal static class WitnessCommand
{
    public static Command Create(ExchangeCli cli)
    {
        var logKey = new Option<string>("--log-key") { Description = "The log's verifier key <origin>+<key ID>+<base64 key>, taken out of band (the public endpoint's /log/key)", HelpName = "key", Required = true };
        var witnessKey = new Option<string>("--witness-key") { Description = "Your witness key file; made on first use (keep it: the operator configured its verifier key)", HelpName = "file", DefaultValueFactory = _ => "witness/witness.key" };
        var name = new Option<string>("--name") { Description = "The name of a key made on first use [default: witness/<your party ID>]", HelpName = "name" };
        var state = new Option<string>("--state") { Description = "The file of the last tree cosigned; conflicting checkpoints are kept beside it (<file>.evidence)", HelpName = "file", DefaultValueFactory = _ => "witness/state.json" };
        var once = new Option<bool>("--once") { Description = "One round, then exit" };
        var interval = new Option<int>("--interval") { Description = "Seconds between rounds", HelpName = "seconds", DefaultValueFactory = _ => 60 };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 86_400)
            {
                result.AddError("--interval must be between 1 and 86400 seconds.");
            }
        });
        var command = new Command(
            "witness",
            "Witness the provision log: each round, fetch the latest checkpoint, check it is signed by the log key and consistent with the last tree cosigned, " +
            "record it, cosign it and submit the cosignature. A smaller tree or a fork is refused (exit code 7) and both signed checkpoints kept as evidence.")
        { logKey, witnessKey, name, state, once, interval };
        cli.OnHub(command, async context =>
        {
            using var key = LoadOrCreateKey(context, context.Environment.Resolve(context.Value(witnessKey)!), context.Value(name));
            var file = new TreeStateFile(context.Environment.Resolve(context.Value(state)!));
            while (true)
            {
                try
                {
                    await RoundAsync(context, context.Value(logKey)!, key, file).ConfigureAwait(false);
                }
                catch (RpcException e) when (!context.Value(once) && !context.CancellationToken.IsCancellationRequested)
                {
                    context.Output.Hint($"this round failed ({e.StatusCode}: {e.Status.Detail.ReplaceLineEndings(" ")}); trying again next round");
                }

                if (context.Value(once))
                {
                    return ExitCodes.Success;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(context.Value(interval)), context.Environment.Time, context.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Success;
                }
            }
        });
        return command;
    }

    private static async Task RoundAsync(CommandContext context, string logKey, NoteKey key, TreeStateFile file)
    {
        var client = new ProvisionLog.ProvisionLogClient(context.Hub.Channel);
        var served = await client.GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), context.Call).ConfigureAwait(false);
        var head = SignedTreeHead.Open(served.Note, logKey);
        var now = context.Environment.Time.GetUtcNow();
        await TreeHistory.CheckAsync(file.Read(), head, async (first, second) =>
            (await client.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = first, SecondSize = second }, context.Call).ConfigureAwait(false)).Hashes.Select(h => h.ToByteArray()).ToList(), file, now).ConfigureAwait(false);

        // Recorded before the cosignature leaves: a witness that stops here has promised nothing it did not record.
        file.Write(head.ToState());
        var cosigned = await client.AddCosignatureAsync(new AddCosignatureRequest { TreeSize = head.Size, Cosignature = key.Cosign(head.Body, now) }, context.Call).ConfigureAwait(false);
        context.Output.Record(
            cosigned,
            ("cosigned tree size", head.Size.ToString(CultureInfo.InvariantCulture)),
            ("root", Convert.ToBase64String(head.Root)),
            ("cosignatures", $"{cosigned.Cosignatures.Count} of {cosigned.Quorum} needed{(cosigned.QuorumMet ? " (quorum met)" : "")}"));
    }

    private static NoteKey LoadOrCreateKey(CommandContext context, string path, string? name)
    {
        if (File.Exists(path))
        {
            try
            {
                var key = NoteKey.Parse(File.ReadAllText(path));
                return key.IsWitness ? key : throw new FormatException("it is a log key (0x01), not a witness key (0x04)");
            }
            catch (FormatException e)
            {
                throw new CliException(ExitCodes.Failure, $"{path} is not a witness key file: {e.Message}");
            }
        }

        NoteKey created;
        try
        {
            created = NoteKey.CreateWitness(name is { Length: > 0 } ? name : "witness/" + context.Hub.PartyId);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.Usage, $"--name: {e.Message}");
        }

        KeyFiles.Write(path, created.SignerKey() + "\n", secret: true, overwrite: false);
        context.Output.Hint($"made a witness key in {path}; give the operator its verifier key (Exchange:TreeLog:Witnesses):\n  {created.VerifierKey}");
        return created;
    }
}
