using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Exchange.Domain.Subjects;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Oversight;

/// <summary>
/// Disposal of personal data past its retention period (Kaminoyama §5), run daily by the hub and
/// on demand by administrators: customer records not changed for their period, every record of a
/// garage that withdrew longer ago than its notice period, persons' finished requests, and the
/// subject IDs of provision-log entries older than theirs (the entries and their hashes stay, so the chain, the tree and every
/// proof still verify). Each run is recorded with what it disposed of, and audited.
/// </summary>
public sealed class RetentionRuns(IOversightStore store, IProvisionLogStore log, IPartyRegistryStore parties, ISubjectRequestStore requests, IHubAuditLog audit, IUnitOfWork unitOfWork, RetentionSettings settings, TimeProvider time)
{
    /// <summary>Kinds of disposal, as runs name them.</summary>
    public const string CustomerRecords = "customer-record";

    /// <summary>A withdrawn garage's records.</summary>
    public const string WithdrawnGarageRecords = "withdrawn-garage-record";

    /// <summary>Provision-log entries whose subject ID was erased.</summary>
    public const string ProvisionLogSubjects = "provision-log-subject";

    /// <summary>Persons' finished requests.</summary>
    public const string SubjectRequests = "subject-request";

    /// <summary>
    /// Runs the disposal (administrators only, or the hub's own daily run with a null call). Every
    /// administrator's run is recorded and audited; the hub's own only when it disposed of something.
    /// </summary>
    public async Task<RetentionRun> RunAsync(CallContext? call, bool dryRun, CancellationToken cancellationToken)
    {
        call?.RequireAdministrator();
        var started = time.GetUtcNow();
        var run = new RetentionRun
        {
            Id = "ret_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            StartedAt = Timestamp.FromDateTimeOffset(started),
            DryRun = dryRun,
            RunBy = call?.Caller.Id ?? HubAuditEvent.HubActor,
        };

        var customersBefore = started - settings.CustomerRecords;
        run.Disposed.Add(Count(CustomerRecords, await store.DisposeCustomersAsync(customersBefore, dryRun, cancellationToken).ConfigureAwait(false), customersBefore));

        var noticeBefore = started - settings.WithdrawnGarageNotice;
        long withdrawn = 0;
        foreach (var garage in await parties.ListAsync(PartyRole.MemberGarage, PartyStatus.Withdrawn, cancellationToken).ConfigureAwait(false))
        {
            // A withdrawal is final, so the party's last change is its withdrawal.
            if (garage.UpdatedAt < noticeBefore)
            {
                withdrawn += await store.DisposeCustomersOfAsync(garage.Party.Id, dryRun, cancellationToken).ConfigureAwait(false);
            }
        }

        run.Disposed.Add(Count(WithdrawnGarageRecords, withdrawn, noticeBefore));

        var logBefore = started - settings.ProvisionLogEntries;
        var through = await log.LastBeforeAsync(logBefore, cancellationToken).ConfigureAwait(false);
        run.Disposed.Add(Count(ProvisionLogSubjects, await log.ReduceThroughAsync(through, dryRun, cancellationToken).ConfigureAwait(false), logBefore));

        var requestsBefore = started - settings.SubjectRequests;
        var disposedRequests = await unitOfWork.RunAsync(ct => requests.DisposeFinishedAsync(requestsBefore, dryRun, ct), cancellationToken).ConfigureAwait(false);
        run.Disposed.Add(Count(SubjectRequests, disposedRequests, requestsBefore));

        run.FinishedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        if (call is null && run.Disposed.All(d => d.Count == 0))
        {
            // The hub's own run that found nothing expired disposed of nothing: no record, no audit event.
            return run;
        }

        var details = string.Join("; ", run.Disposed.Select(d => $"{d.Kind} {d.Count} (before {AuditTime.Format(d.Cutoff.ToDateTimeOffset())})")) + (dryRun ? "; dry run, nothing disposed of" : "");
        await unitOfWork.RunAsync(
            async ct =>
            {
                await store.AddRunAsync(run, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(run.FinishedAt.ToDateTimeOffset(), run.RunBy, HubAuditActions.RetentionRun, run.Id, details, call?.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>Earlier runs, newest first (administrators only).</summary>
    public Task<IReadOnlyList<RetentionRun>> ListAsync(CallContext call, int limit, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        if (limit is < 0 or > 1000)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "limit must be 0 (100) to 1000");
        }

        return store.ListRunsAsync(limit == 0 ? 100 : limit, cancellationToken);
    }

    private static DisposalCount Count(string kind, long count, DateTimeOffset cutoff) => new() { Kind = kind, Count = count, Cutoff = Timestamp.FromDateTimeOffset(cutoff) };
}
