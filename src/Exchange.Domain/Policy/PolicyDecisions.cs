using System.Collections.Concurrent;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Telemetry;

namespace Exchange.Domain.Policy;

/// <summary>
/// The policy engine's decisions, remembered for as long as the declaration and the grants they were
/// made under are the ones in use. Most calls repeat a handful of combinations of caller, purpose,
/// items and owner, and the engine is pure, so a remembered decision is the decision.
/// </summary>
/// <remarks>
/// Declarations and grants are compared by reference: the stores hand out the same snapshot until it
/// changes or expires, and any other one starts afresh. Vendor authorisation is part of the key, as
/// the caller works it out before each decision.
/// </remarks>
public sealed class PolicyDecisions
{
    // Enough for every party x purpose x owner the bench and a large association use; beyond it, start over.
    private const int MaxRemembered = 4096;
    private Memo _memo = new(null, null);

    /// <summary>What <see cref="PolicyEngine.Decide"/> decides for <paramref name="request"/>, from memory when it was decided before.</summary>
    public PolicyDecision Decide(AccessRequest request, DeclarationRecord declaration, IReadOnlyList<Grant> grants)
    {
        using var activity = DomainActivity.Source.StartActivity("policy.decide");
        var decision = DecideOrRecall(request, declaration, grants);
        if (activity is not null)
        {
            // The rule is one of PolicyRules: never the caller's text.
            activity.SetTag("exchange.policy.outcome", decision.Permitted ? "permit" : "deny");
            activity.SetTag("exchange.policy.rule", decision.Rule);
        }

        return decision;
    }

    private PolicyDecision DecideOrRecall(AccessRequest request, DeclarationRecord declaration, IReadOnlyList<Grant> grants)
    {
        var memo = Volatile.Read(ref _memo);
        if (!ReferenceEquals(memo.Declaration, declaration) || !ReferenceEquals(memo.Grants, grants))
        {
            memo = new Memo(declaration, grants);
            Volatile.Write(ref _memo, memo);
        }

        // Only requests naming known items and groups are remembered: their names cannot contain the
        // separator, so two different lists of items never share a key.
        var catalog = ItemCatalog.CustomerRecords;
        if (!request.RequestedItems.All(i => catalog.Items.Contains(i) || catalog.Groups.Contains(i)))
        {
            return PolicyEngine.Decide(request, declaration, grants);
        }

        var key = new Key(request.Caller.Id, request.Caller.Role, request.Caller.Status, request.Kind, request.Purpose, string.Join('\n', request.RequestedItems), request.OwnerParty, request.VendorAuthorised);
        if (memo.Decisions.TryGetValue(key, out var known))
        {
            return known;
        }

        var decision = PolicyEngine.Decide(request, declaration, grants);
        if (memo.Decisions.Count >= MaxRemembered)
        {
            memo.Decisions.Clear();
        }

        memo.Decisions.TryAdd(key, decision);
        return decision;
    }

    private sealed record Memo(DeclarationRecord? Declaration, IReadOnlyList<Grant>? Grants)
    {
        public ConcurrentDictionary<Key, PolicyDecision> Decisions { get; } = new();
    }

    private readonly record struct Key(string CallerId, Parties.PartyRole Role, Parties.PartyStatus Status, AccessKind Kind, string Purpose, string Items, string? Owner, bool VendorAuthorised);
}
