using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Transparency;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Grpc.Core;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange log verify</c>: the provision log's hash chain and signed checkpoints (administrators,
/// over gRPC), or with <c>--log-key</c> the transparency log as any partner checks it on the public
/// endpoint; <c>exchange log prove</c>: an entry's inclusion.
/// </summary>
internal static class LogCommands
{
    // Times a full walk is resumed after a dropped connection before the tool gives up.
    private const int MaxResumes = 5;

    public static Command Create(ExchangeCli cli)
    {
        var full = new Option<bool>("--full") { Description = "Walk the whole chain from its first entry, showing progress on standard error; a dropped connection resumes the walk where it stood" };
        var resume = new Option<string>("--resume") { Description = "Go on with a full walk from the resume token an interrupted 'exchange log verify --full' printed", HelpName = "token" };
        var partner = new PartnerOptions();
        var state = new Option<string>("--state") { Description = "With --log-key: the file of the last checkpoint checked; the new one must be consistent with it, and replaces it", HelpName = "file" };
        var fromSize = new Option<long>("--from-size") { Description = "With --log-key: a tree size checked earlier (with --from-root), instead of --state", HelpName = "n" };
        var fromRoot = new Option<string>("--from-root") { Description = "The base64 root hash of the tree of --from-size", HelpName = "base64" };
        var verify = new Command(
            "verify",
            "Verify the provision log's hash chain and signed checkpoints (administrators). Without --full, from the newest checkpoint an earlier verification found intact through: " +
            "entries before it are not read again. With --log-key and --endpoint, as any partner: the latest checkpoint's signature, the cosignatures of the --witness keys " +
            "against --quorum, and its consistency with the tree checked earlier (--state, or --from-size and --from-root). Exit code 7 when the log is not intact.")
        { full, resume, state, fromSize, fromRoot };
        partner.AddTo(verify);
        verify.Validators.Add(result =>
        {
            var asPartner = result.GetValue(partner.LogKey) is not null;
            if (asPartner && (result.GetValue(full) || result.GetValue(resume) is not null))
            {
                result.AddError("--full and --resume walk the chain at the hub (administrators); --log-key checks the transparency log from the public endpoint.");
            }

            if (!asPartner && (result.GetValue(state) is not null || result.GetValue(fromRoot) is not null || result.GetValue(fromSize) != 0))
            {
                result.AddError("--state, --from-size and --from-root need --log-key.");
            }

            if (result.GetValue(state) is not null && (result.GetValue(fromRoot) is not null || result.GetValue(fromSize) != 0))
            {
                result.AddError("--state excludes --from-size and --from-root.");
            }

            if ((result.GetValue(fromRoot) is null) != (result.GetValue(fromSize) == 0) || result.GetValue(fromSize) < 0)
            {
                result.AddError("--from-size (a positive tree size) and --from-root go together.");
            }

            partner.Validate(result, asPartner);
        });
        cli.OnHubIf(verify, result => result.GetValue(partner.LogKey) is null, async context =>
        {
            if (context.Value(partner.LogKey) is not null)
            {
                var file = context.Value(state) is { } path ? new TreeStateFile(context.Environment.Resolve(path)) : null;
                var saved = file?.Read() ?? (context.Value(fromSize) > 0 ? new TreeState(context.Value(fromSize), context.Value(fromRoot)!, "") : null);
                return await VerifyAsPartnerAsync(context, partner, saved, file).ConfigureAwait(false);
            }

            var token = context.Value(resume);
            var result = context.Value(full) || !string.IsNullOrEmpty(token)
                ? await WalkAsync(context, token ?? "").ConfigureAwait(false)
                : await new ProvisionLog.ProvisionLogClient(context.Hub.Channel).VerifyAsync(new VerifyRequest(), context.Call).ConfigureAwait(false);
            context.Output.Record(
                result,
                ("intact", result.Intact ? "yes" : "NO"),
                ("problem", result.Problem),
                ("first broken entry", Number(result.FirstBrokenSequence)),
                ("walked", result.Full ? "the whole chain" : $"from the checkpoint verified at {CliOutput.Time(result.PrefixVerifiedAt)}"),
                ("entries", $"{Number(result.FromSequence)} to {Number(result.ThroughSequence)}"),
                ("entries checked", Number(result.EntriesChecked)),
                ("checkpoints checked", Number(result.CheckpointsChecked)),
                ("vouched through", Number(result.VouchedThrough)),
                ("unvouched entries", Number(result.UnvouchedEntries)));
            return result.Intact ? ExitCodes.Success : ExitCodes.NotIntact;
        });
        var entry = new Option<long>("--entry") { Description = "The entry's sequence", HelpName = "n", Required = true };
        var entryHash = new Option<string>("--entry-hash") { Description = "The entry hash you computed from the entry you hold (hex); without it the hash the hub states is proved", HelpName = "hex" };
        var provePartner = new PartnerOptions();
        var prove = new Command("prove", "Check that an entry is in the provision log's latest checkpoint, as any partner: the checkpoint's signature and cosignatures, then the entry's inclusion proof. Exit code 7 when it is not.")
        { entry, entryHash };
        provePartner.AddTo(prove);
        provePartner.LogKey.Required = true;
        prove.Validators.Add(result => provePartner.Validate(result, true));
        cli.OnHubIf(prove, _ => false, context => ProveAsync(context, provePartner, context.Value(entry), context.Value(entryHash)));
        return new Command("log", "The provision log (提供記録) of every provision and refusal") { verify, prove };
    }

    private static async Task<int> VerifyAsPartnerAsync(CommandContext context, PartnerOptions partner, TreeState? saved, TreeStateFile? file)
    {
        using var log = partner.Open(context);
        var head = await partner.OpenCheckpointAsync(context, log).ConfigureAwait(false);
        await TreeHistory.CheckAsync(saved, head, (first, second) => log.ConsistencyAsync(first, second, context.CancellationToken), file, context.Environment.Time.GetUtcNow()).ConfigureAwait(false);
        var cosigners = partner.RequireQuorum(context, head);
        file?.Write(head.ToState());
        context.Output.Fields(
            ("tree size", Number(head.Size)),
            ("root", Convert.ToBase64String(head.Root)),
            ("signed by the log key", "yes"),
            ("consistent with", saved is null ? "nothing checked earlier (first check)" : $"tree size {Number(saved.Size)} checked earlier"),
            ("cosigned by", cosigners.Count == 0 ? "no witness given" : string.Join(", ", cosigners)));
        return ExitCodes.Success;
    }

    private static async Task<int> ProveAsync(CommandContext context, PartnerOptions partner, long sequence, string? entryHash)
    {
        using var log = partner.Open(context);
        var head = await partner.OpenCheckpointAsync(context, log).ConfigureAwait(false);
        var cosigners = partner.RequireQuorum(context, head);
        if (sequence < 1 || sequence > head.Size)
        {
            throw new CliException(ExitCodes.Usage, $"--entry {sequence} is not in the latest checkpoint's tree, entries 1 to {head.Size}");
        }

        var (stated, proof) = await log.InclusionAsync(sequence, head.Size, context.CancellationToken).ConfigureAwait(false);
        var hash = entryHash?.Trim().ToLowerInvariant() ?? stated;
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new CliException(ExitCodes.Usage, "--entry-hash is an entry hash, 64 hexadecimal digits");
        }

        if (!MerkleTree.VerifyInclusion(sequence - 1, head.Size, MerkleTree.EntryLeafHash(hash), proof, head.Root))
        {
            throw new CliException(ExitCodes.NotIntact, $"entry {sequence} with hash {hash} is NOT in the tree of size {head.Size} the log signed: its inclusion proof fails" +
                (entryHash is not null && entryHash != stated ? $" (the hub states the entry's hash is {stated})" : ""));
        }

        context.Output.Fields(
            ("entry", Number(sequence)),
            ("entry hash", hash + (entryHash is null ? " (as the hub states it; give --entry-hash to prove the entry you hold)" : "")),
            ("included in tree size", Number(head.Size)),
            ("root", Convert.ToBase64String(head.Root)),
            ("cosigned by", cosigners.Count == 0 ? "no witness given" : string.Join(", ", cosigners)));
        return ExitCodes.Success;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    // The walk, resumed from the last progress's token when the connection drops or goes silent
    // for the session's timeout (the hub reports progress at least every second).
    private static async Task<VerifyResponse> WalkAsync(CommandContext context, string token)
    {
        var client = new ProvisionLog.ProvisionLogClient(context.Hub.Channel);
        for (var resumes = 0; ; resumes++)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            try
            {
                idle.CancelAfter(context.Hub.Timeout);
                using var call = client.VerifyFull(new VerifyFullRequest { ResumeToken = token }, new CallOptions(cancellationToken: idle.Token));
                while (await call.ResponseStream.MoveNext(idle.Token).ConfigureAwait(false))
                {
                    idle.CancelAfter(context.Hub.Timeout);
                    if (call.ResponseStream.Current.Progress is not { } progress)
                    {
                        return call.ResponseStream.Current.Result;
                    }

                    token = progress.ResumeToken;
                    context.Output.Hint($"checked {Number(progress.EntriesChecked)} entries, through entry {Number(progress.ThroughSequence)} of {Number(progress.HeadSequence)} ({Number((long)progress.EntriesPerSecond)} entries/s)");
                }

                throw new CliException(ExitCodes.Failure, "the hub ended the walk without its result");
            }
            catch (RpcException e) when (!context.CancellationToken.IsCancellationRequested && ExitCodes.Dropped(e) && token.Length > 0 && resumes < MaxResumes)
            {
                context.Output.Hint($"the connection dropped ({e.Status.Detail.ReplaceLineEndings(" ")}); resuming the walk where it stood");
                await Task.Delay(TimeSpan.FromSeconds(resumes), context.CancellationToken).ConfigureAwait(false);
            }
            catch (RpcException) when (token.Length > 0)
            {
                context.Output.Hint($"to go on with this walk later: exchange log verify --resume {token}");
                throw;
            }
        }
    }
}
