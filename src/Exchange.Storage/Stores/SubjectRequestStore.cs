using Exchange.Contracts.V1;
using Exchange.Domain.Subjects;
using Exchange.Storage.Entities;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class SubjectRequestStore(Lazy<ExchangeDbContext> context) : ISubjectRequestStore
{
    private ExchangeDbContext Db => context.Value;

    public async Task AddAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        Db.SubjectRequests.Add(new SubjectRequestRow
        {
            Id = request.Id,
            Kind = (int)request.Kind,
            Status = (int)request.Status,
            OpenedBy = request.OpenedBy,
            OpenedAt = request.OpenedAt.ToDateTimeOffset(),
            Owners = " " + string.Join(' ', request.Records.Select(r => r.OwnerParty).Distinct(StringComparer.Ordinal)) + " ",
            Body = Encode(request),
        });
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        var body = Encode(request);
        await Db.SubjectRequests.Where(r => r.Id == request.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, (int)request.Status).SetProperty(r => r.Body, body), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SubjectRequest?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        var body = await Db.SubjectRequests.AsNoTracking().Where(r => r.Id == requestId).Select(r => r.Body).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return null;
        }

        var request = SubjectRequest.Parser.ParseFrom(body);
        request.Propagations.AddRange((await Db.SubjectRequestPropagations.AsNoTracking().Where(p => p.RequestId == requestId).OrderBy(p => p.Partner).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(ToMessage));
        return request;
    }

    public async Task<(IReadOnlyList<SubjectRequest> Requests, long? Next)> ListAsync(SubjectRequestQuery query, CancellationToken cancellationToken)
    {
        var rows = Db.SubjectRequests.AsNoTracking();
        if (query.ReadableBy is { } party)
        {
            var owner = " " + party + " ";
            rows = rows.Where(r => r.OpenedBy == party || r.Owners.Contains(owner));
        }

        if (query.Status is { } status)
        {
            rows = rows.Where(r => r.Status == (int)status);
        }

        if (query.OwnerParty is { } ownerParty)
        {
            var owner = " " + ownerParty + " ";
            rows = rows.Where(r => r.Owners.Contains(owner));
        }

        if (query.Before is { } before)
        {
            rows = rows.Where(r => r.Sequence < before);
        }

        var page = await rows.OrderByDescending(r => r.Sequence).Take(query.Limit + 1).Select(r => new { r.Sequence, r.Id, r.Body }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var ids = page.Select(r => r.Id).ToList();
        var propagations = (await Db.SubjectRequestPropagations.AsNoTracking().Where(p => ids.Contains(p.RequestId)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(p => p.RequestId, StringComparer.Ordinal);
        var requests = page.Select(r =>
        {
            var request = SubjectRequest.Parser.ParseFrom(r.Body);
            request.Propagations.AddRange(propagations[r.Id].OrderBy(p => p.Partner, StringComparer.Ordinal).Select(ToMessage));
            return request;
        }).ToList();
        return (requests, more ? page[^1].Sequence : null);
    }

    public async Task AddPropagationsAsync(IReadOnlyList<Propagation> propagations, DateTimeOffset remindAt, CancellationToken cancellationToken)
    {
        Db.SubjectRequestPropagations.AddRange(propagations.Select(p => new SubjectRequestPropagationRow
        {
            RequestId = p.RequestId,
            Partner = p.Partner,
            FeedSequence = p.FeedSequence,
            SentAt = p.SentAt.ToDateTimeOffset(),
            Outcome = (int)p.Outcome,
            NextReminderAt = remindAt,
        }));
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> AcknowledgeAsync(Propagation acknowledged, CancellationToken cancellationToken)
    {
        var at = acknowledged.AcknowledgedAt.ToDateTimeOffset();
        var reason = acknowledged.RefusalReason.Length == 0 ? null : acknowledged.RefusalReason;
        var pending = (int)PropagationOutcome.Pending;
        return await Db.SubjectRequestPropagations
            .Where(p => p.RequestId == acknowledged.RequestId && p.Partner == acknowledged.Partner && p.Outcome == pending)
            .ExecuteUpdateAsync(
                s => s.SetProperty(p => p.Outcome, (int)acknowledged.Outcome)
                    .SetProperty(p => p.AcknowledgedAt, at)
                    .SetProperty(p => p.RefusalGround, (int)acknowledged.RefusalGround)
                    .SetProperty(p => p.RefusalReason, reason),
                cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<Propagation>> DueForReminderAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var pending = (int)PropagationOutcome.Pending;
        return (await Db.SubjectRequestPropagations.AsNoTracking()
                .Where(p => p.Outcome == pending && p.NextReminderAt <= now)
                .OrderBy(p => p.NextReminderAt)
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(ToMessage).ToList();
    }

    public async Task<bool> CountReminderAsync(string requestId, string partner, int remindersBefore, DateTimeOffset at, DateTimeOffset nextAt, CancellationToken cancellationToken)
    {
        var pending = (int)PropagationOutcome.Pending;
        return await Db.SubjectRequestPropagations
            .Where(p => p.RequestId == requestId && p.Partner == partner && p.Outcome == pending && p.Reminders == remindersBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Reminders, remindersBefore + 1).SetProperty(p => p.LastRemindedAt, at).SetProperty(p => p.NextReminderAt, nextAt), cancellationToken)
            .ConfigureAwait(false) == 1;
    }

    private static byte[] Encode(SubjectRequest request)
    {
        var stored = request.Clone();
        stored.Propagations.Clear();
        return stored.ToByteArray();
    }

    private static Propagation ToMessage(SubjectRequestPropagationRow row) => new()
    {
        RequestId = row.RequestId,
        Partner = row.Partner,
        FeedSequence = row.FeedSequence,
        SentAt = Timestamp.FromDateTimeOffset(row.SentAt),
        Outcome = (PropagationOutcome)row.Outcome,
        AcknowledgedAt = row.AcknowledgedAt is { } acknowledged ? Timestamp.FromDateTimeOffset(acknowledged) : null,
        RefusalGround = (RefusalGround)row.RefusalGround,
        RefusalReason = row.RefusalReason ?? "",
        Reminders = row.Reminders,
        LastRemindedAt = row.LastRemindedAt is { } reminded ? Timestamp.FromDateTimeOffset(reminded) : null,
    };

    public async Task<long> DisposeFinishedAsync(DateTimeOffset openedBefore, bool dryRun, CancellationToken cancellationToken)
    {
        int[] finished = [(int)SubjectRequestStatus.Completed, (int)SubjectRequestStatus.Refused];
        var expired = Db.SubjectRequests.Where(r => r.OpenedAt < openedBefore && finished.Contains(r.Status));
        if (dryRun)
        {
            return await expired.LongCountAsync(cancellationToken).ConfigureAwait(false);
        }

        await Db.SubjectRequestPropagations.Where(p => expired.Any(r => r.Id == p.RequestId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return await expired.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
