using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;

namespace Exchange.Domain.Records;

/// <summary>
/// Opens and resumes syncs: streams of numbered record changes from one party, each applied exactly
/// once. A sync's acknowledged sequence commits in the transaction of the changes it covers
/// (<see cref="CustomerRecords.ApplyChangesAsync"/>), so nothing acknowledged is lost and nothing
/// committed is applied again.
/// </summary>
public sealed class RecordSync(CustomerRecords records, ISyncSessionStore sessions, DeclarationRegistry declarations, SubjectPseudonyms pseudonyms, TimeProvider time)
{
    private const string IdPrefix = "sync-";
    private const int IdRandomBytes = 16;

    /// <summary>The most changes applied in one transaction and covered by one acknowledgement.</summary>
    public const int MaxGroup = 500;

    /// <summary>
    /// Opens a new sync (<paramref name="open"/> names none) or resumes one the caller's party
    /// opened; another party's sync, or an unknown one, is NOT_FOUND.
    /// </summary>
    public async Task<SyncStream> OpenAsync(CallContext call, SyncOpen open, CancellationToken cancellationToken)
    {
        if (Identifiers.RequestProblem(open.Purpose, []) is { } malformed)
        {
            throw CustomerRecords.Malformed(malformed);
        }

        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        SyncSession session;
        if (string.IsNullOrEmpty(open.SyncId))
        {
            // Stored with its first group: opening alone stores nothing, so opens cannot fill the table.
            session = new SyncSession(IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdRandomBytes)), call.Caller.Id, open.Purpose, 0, now, now);
        }
        else
        {
            if (!IsSyncId(open.SyncId))
            {
                throw CustomerRecords.Malformed($"sync_id {Identifiers.Quote(open.SyncId)} is not a sync ID the hub issues");
            }

            var found = await sessions.FindAsync(open.SyncId, cancellationToken).ConfigureAwait(false);
            session = found is not null && found.Party == call.Caller.Id
                ? found
                : throw new ExchangeException(FailureKind.NotFound, $"party '{call.Caller.Id}' has no sync {Identifiers.Quote(open.SyncId)}");
            if (session.Purpose != open.Purpose)
            {
                throw new ExchangeException(FailureKind.InvalidArgument, $"sync {session.Id} was opened for purpose '{session.Purpose}', not '{open.Purpose}'");
            }
        }

        return new SyncStream(this, call, session, declaration.Version);
    }

    internal Task<IReadOnlyList<AppliedChange>> ApplyAsync(CallContext call, SyncSession session, IReadOnlyList<SyncChange> changes, CancellationToken cancellationToken)
    {
        var through = changes[^1].Sequence;
        return records.ApplyChangesAsync(
            call,
            session.Purpose,
            changes,
            async ct =>
            {
                if (session.Acknowledged == 0)
                {
                    await sessions.CreateAsync(session with { Acknowledged = through, UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
                    return;
                }

                // Checked in the changes' own transaction: of two streams on one sync, the second to commit finds the sequence moved and applies nothing.
                if (!await sessions.AdvanceAsync(session.Id, session.Acknowledged, through, time.GetUtcNow(), ct).ConfigureAwait(false))
                {
                    throw new ExchangeException(FailureKind.Aborted, $"another stream of sync {session.Id} acknowledged changes after {session.Acknowledged} first; resume the sync to learn its acknowledged sequence");
                }
            },
            cancellationToken);
    }

    // The person a re-sent change names, for its acknowledgement.
    internal string? SubjectOf(CallContext call, SyncChange change)
    {
        var (owner, customerRef) = change.ChangeCase switch
        {
            SyncChange.ChangeOneofCase.Upsert => (change.Upsert.OwnerParty, change.Upsert.CustomerRef),
            SyncChange.ChangeOneofCase.Delete => (change.Delete.OwnerParty, change.Delete.CustomerRef),
            _ => ("", ""),
        };
        owner = string.IsNullOrEmpty(owner) && call.Caller.Role == Parties.PartyRole.MemberGarage ? call.Caller.Id : owner;
        return Identifiers.IsPartyId(owner) && Identifiers.ReferenceProblem(customerRef) is null ? pseudonyms.SubjectOf(owner, customerRef) : null;
    }

    private static bool IsSyncId(string value) =>
        value.Length == IdPrefix.Length + (2 * IdRandomBytes) && value.StartsWith(IdPrefix, StringComparison.Ordinal)
        && value.AsSpan(IdPrefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
