using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;
using Grpc.Core;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange watch</c>: the caller's change feed, printed event by event as the hub stores them,
/// resumed from a cursor file and, after a dropped connection or a hub restart, from the last
/// event printed: nothing is lost and nothing printed twice.
/// </summary>
internal static class WatchCommand
{
    // Consecutive reconnections that receive nothing before the tool gives up (about two and a half minutes of waits).
    private const int MaxReconnects = 10;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly (string Header, int Width)[] Columns = [("SEQ", 8), ("TIME", 20), ("EVENT", 24), ("DETAILS", 0)];

    public static Command Create(ExchangeCli cli)
    {
        var cursor = new Option<string>("--cursor-file") { Description = "Resume after the event this file names, and write each printed event's sequence to it (created when missing)", HelpName = "file" };
        var earliest = new Option<bool>("--from-earliest") { Description = "Without a cursor: start at the oldest event the hub still retains" };
        var latest = new Option<bool>("--from-latest") { Description = "Without a cursor: start with the events stored from now on (the default)" };
        var count = new Option<int>("--count") { Description = "Exit after printing this many events [default: watch until interrupted]", HelpName = "n" };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--count must not be negative.");
            }
        });
        var command = new Command(
            "watch",
            "Print the events the hub stores for your party as they arrive: corrections and deletions of records you received, changes your vendors made for you, " +
            "new declaration versions, certificates nearing expiry. A dropped connection is resumed after the last event printed. " +
            "Exit code 8 when the cursor is older than the events the hub retains.")
        { cursor, earliest, latest, count };
        command.Validators.Add(result =>
        {
            if (result.GetValue(earliest) && result.GetValue(latest))
            {
                result.AddError("--from-earliest and --from-latest exclude each other.");
            }
        });
        cli.OnHub(command, context =>
        {
            var file = context.Value(cursor) is { Length: > 0 } path ? new CursorFile(context.Environment.Resolve(path)) : null;
            var start = file?.Read() is { } sequence
                ? new SubscribeRequest { AfterSequence = sequence }
                : context.Value(earliest) ? new SubscribeRequest { FromEarliest = true } : new SubscribeRequest { FromLatest = true };
            return WatchAsync(context, start, file, context.Value(count));
        });
        return command;
    }

    private static async Task<int> WatchAsync(CommandContext context, SubscribeRequest start, CursorFile? cursor, int count)
    {
        var client = new Feed.FeedClient(context.Hub.Channel);
        var time = context.Environment.Time;
        long? last = start.PositionCase == SubscribeRequest.PositionOneofCase.AfterSequence ? start.AfterSequence : null;
        var printed = 0;
        var reconnects = 0;
        context.Output.RowHeader(Columns);
        while (true)
        {
            var request = last is { } after ? new SubscribeRequest { AfterSequence = after } : start;
            var opened = time.GetTimestamp();
            try
            {
                using var call = client.Subscribe(request, new CallOptions(cancellationToken: context.CancellationToken));
                // The hub names where a from-latest or from-earliest start begins: a drop before the first event resumes from there.
                if (last is null && FeedPosition.TryParse((await call.ResponseHeadersAsync.ConfigureAwait(false)).GetValue(FeedPosition.Header), out var startsAfter))
                {
                    last = startsAfter;
                    cursor?.Write(startsAfter);
                }

                while (await call.ResponseStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
                {
                    reconnects = 0;
                    var feedEvent = call.ResponseStream.Current;
                    // A re-sent event (the hub's or the transport's) is not printed twice.
                    if (feedEvent.Sequence <= last)
                    {
                        continue;
                    }

                    context.Output.StreamedRow(feedEvent, Cells(feedEvent), [.. Columns.Select(c => c.Width)]);
                    last = feedEvent.Sequence;
                    cursor?.Write(feedEvent.Sequence);
                    if (++printed == count)
                    {
                        return ExitCodes.Success;
                    }
                }

                context.Output.Hint($"the hub ended the subscription; resubscribing after {Position(last)}");
            }
            catch (Exception e) when (context.CancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException)
            {
                return ExitCodes.Success;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                throw new CliException(
                    ExitCodes.CursorExpired,
                    $"the hub no longer retains the events after {Position(last)} ({e.Status.Detail}).\n" +
                    "  Events were disposed of before you read them: resynchronise the records you hold, then start again " +
                    (cursor is null ? "with --from-earliest or --from-latest." : $"after deleting {cursor.FilePath}, with --from-earliest or --from-latest."));
            }
            catch (RpcException e) when (ExitCodes.Dropped(e) && reconnects < MaxReconnects)
            {
                // A subscription that stayed open a while was connected: its drop starts the backoff afresh.
                if (time.GetElapsedTime(opened) > MaxDelay)
                {
                    reconnects = 0;
                }

                context.Output.Hint($"the connection dropped ({e.Status.Detail.ReplaceLineEndings(" ")}); resubscribing after {Position(last)}");
            }

            var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(reconnects, 16)));
            reconnects++;
            try
            {
                await Task.Delay(delay, time, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Success;
            }
        }
    }

    private static string Position(long? last) => last is { } sequence ? $"event {sequence.ToString(CultureInfo.InvariantCulture)}" : "the position asked for";

    private static string[] Cells(FeedEvent e) =>
        [e.Sequence.ToString(CultureInfo.InvariantCulture), CliOutput.Time(e.OccurredAt), Kind(e), Details(e)];

    private static string Kind(FeedEvent e) => e.EventCase switch
    {
        FeedEvent.EventOneofCase.None => "unknown",
        var kind => CliOutput.Name(kind),
    };

    private static string Details(FeedEvent e) => e.EventCase switch
    {
        FeedEvent.EventOneofCase.RecordCorrected when e.RecordCorrected is var c => c.WithheldRule.Length > 0
            ? $"{c.OwnerParty}/{c.CustomerRef} subject {c.SubjectId} for {c.Purpose}: withheld ({c.WithheldRule})"
            : $"{c.OwnerParty}/{c.CustomerRef} subject {c.SubjectId} for {c.Purpose}: {string.Join(',', c.Items)} (declaration v{c.DeclarationVersion})",
        FeedEvent.EventOneofCase.RecordDeleted when e.RecordDeleted is var d => $"{d.OwnerParty}/{d.CustomerRef} subject {d.SubjectId}",
        FeedEvent.EventOneofCase.RecordChangedByVendor when e.RecordChangedByVendor is var v =>
            $"{v.VendorParty} {Change(v.Change)} {v.CustomerRef} subject {v.SubjectId} (call {v.CallId})",
        FeedEvent.EventOneofCase.DeclarationPublished when e.DeclarationPublished is var p =>
            $"version {p.Version}, in force from {CliOutput.Time(p.EffectiveFrom)}, hash {p.Hash}",
        FeedEvent.EventOneofCase.CertificateExpiring when e.CertificateExpiring is var x =>
            $"{x.SerialNumber} expires {CliOutput.Time(x.NotAfter)} ({x.DaysLeft} days left)",
        _ => "an event this version of exchange does not know (-o json shows its sequence and time)",
    };

    private static string Change(ChangeKind change) => change switch
    {
        ChangeKind.Created => "created",
        ChangeKind.Corrected => "corrected",
        ChangeKind.Deleted => "deleted",
        _ => "changed",
    };
}
