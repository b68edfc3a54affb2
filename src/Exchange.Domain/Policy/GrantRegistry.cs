using Exchange.Domain.Audit;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Policy;

/// <summary>
/// Administers the grants (administrators only). Every change is recorded in the hub's audit log,
/// with the items before and after, in the same transaction as the change; a call that changes
/// nothing records nothing.
/// </summary>
public sealed class GrantRegistry(IGrantStore grants, IHubAuditLog audit, IUnitOfWork unitOfWork, TimeProvider time)
{
    /// <summary>Every grant.</summary>
    public Task<IReadOnlyList<Grant>> ListAsync(CallContext call, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        return grants.ListAsync(cancellationToken);
    }

    /// <summary>Creates or replaces the grant for (subject, purpose) of <paramref name="grant"/>.</summary>
    public async Task<Grant> SetAsync(CallContext call, Grant grant, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var now = time.GetUtcNow();
        await unitOfWork.RunAsync(
            async ct =>
            {
                var before = await FindAsync(grant.Kind, grant.Subject, grant.Purpose, ct).ConfigureAwait(false);
                if (before is not null && before.Items.SetEquals(grant.Items))
                {
                    return false;
                }

                await grants.SetAsync(grant, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.GrantSet, AuditSubject(grant.Kind, grant.Subject, grant.Purpose), Details(grant.Kind, grant.Subject, grant.Purpose, before?.Items, grant.Items), call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return grant;
    }

    /// <summary>Removes the grant for (subject, purpose); false when there was none.</summary>
    public async Task<bool> RemoveAsync(CallContext call, GrantSubjectKind kind, string subject, string purpose, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var now = time.GetUtcNow();
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var before = await FindAsync(kind, subject, purpose, ct).ConfigureAwait(false);
                if (!await grants.RemoveAsync(kind, subject, purpose, ct).ConfigureAwait(false))
                {
                    return false;
                }

                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.GrantRemoved, AuditSubject(kind, subject, purpose), Details(kind, subject, purpose, before?.Items, null), call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit log's subject for the grant of (<paramref name="kind"/>, <paramref name="subject"/>, <paramref name="purpose"/>).</summary>
    public static string AuditSubject(GrantSubjectKind kind, string subject, string purpose) =>
        $"grant/{(kind == GrantSubjectKind.Role ? "role" : "party")}/{subject}/{purpose}";

    private async Task<Grant?> FindAsync(GrantSubjectKind kind, string subject, string purpose, CancellationToken cancellationToken) =>
        (await grants.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Kind == kind && g.Subject == subject && g.Purpose == purpose);

    // E.g. "role group-body, purpose marketing; before: contact.name; after: contact.name, contact.phone; added: contact.phone; removed: none".
    private static string Details(GrantSubjectKind kind, string subject, string purpose, IReadOnlySet<string>? before, IReadOnlySet<string>? after)
    {
        var was = before ?? new HashSet<string>();
        var now = after ?? new HashSet<string>();
        return $"{(kind == GrantSubjectKind.Role ? "role" : "party")} {subject}, purpose {purpose}; before: {List(was)}; after: {List(now)}; added: {List(now.Except(was))}; removed: {List(was.Except(now))}";
    }

    private static string List(IEnumerable<string> items)
    {
        var sorted = items.Order(StringComparer.Ordinal).ToList();
        return sorted.Count == 0 ? "none" : string.Join(", ", sorted);
    }
}
