using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;
using Grpc.Core;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange log verify</c>: the provision log's hash chain and signed checkpoints.</summary>
internal static class LogCommands
{
    // Times a full walk is resumed after a dropped connection before the tool gives up.
    private const int MaxResumes = 5;

    public static Command Create(ExchangeCli cli)
    {
        var full = new Option<bool>("--full") { Description = "Walk the whole chain from its first entry, showing progress on standard error; a dropped connection resumes the walk where it stood" };
        var resume = new Option<string>("--resume") { Description = "Go on with a full walk from the resume token an interrupted 'exchange log verify --full' printed", HelpName = "token" };
        var verify = new Command(
            "verify",
            "Verify the provision log's hash chain and signed checkpoints (administrators). Without --full, from the newest checkpoint an earlier verification found intact through: " +
            "entries before it are not read again. Exit code 7 when the log is not intact.")
        { full, resume };
        cli.OnHub(verify, async context =>
        {
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
        return new Command("log", "The provision log (提供記録) of every provision and refusal") { verify };
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
