using Exchange.Contracts.V1;

namespace Exchange.Domain.Declarations;

/// <summary>
/// How a proposed version differs from the latest published one, in the terms of APPI Art. 27(6):
/// what it adds (items, joint users: not changeable by notice), and whether it only narrows.
/// </summary>
internal static class DeclarationChanges
{
    /// <summary>Item IDs <paramref name="proposed"/> declares that <paramref name="latest"/> does not.</summary>
    public static List<string> AddedItems(DeclarationContent latest, DeclarationContent proposed)
    {
        var before = latest.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        return proposed.Items.Select(i => i.Id).Where(id => !before.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Joint users <paramref name="proposed"/> names that <paramref name="latest"/> did not cover, as
    /// "role 'party-id'" (or "the role class"). A party named by ID is covered by a class of its
    /// role (a joint user naming no IDs, as the member-garage class); a class only by a class.
    /// </summary>
    public static List<string> AddedJointUsers(DeclarationContent latest, DeclarationContent proposed)
    {
        var added = new List<string>();
        foreach (var user in proposed.JointUsers)
        {
            if (user.PartyIds.Count == 0)
            {
                if (!latest.JointUsers.Any(u => u.Role == user.Role && u.PartyIds.Count == 0))
                {
                    added.Add($"the {user.Role} class");
                }

                continue;
            }

            foreach (var id in user.PartyIds)
            {
                var covered = latest.JointUsers.Any(u => u.Role == user.Role && (u.PartyIds.Count == 0 || u.PartyIds.Contains(id)));
                if (!covered)
                {
                    added.Add($"{user.Role} '{id}'");
                }
            }
        }

        return added.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// True when <paramref name="proposed"/> is <paramref name="latest"/> with items, joint users
    /// (or some of a joint user's party IDs) or purposes removed, and nothing else changed: such a
    /// version only narrows the joint use, so it needs no notice period.
    /// </summary>
    public static bool IsNarrowing(DeclarationContent latest, DeclarationContent proposed) =>
        Equals(latest.Manager, proposed.Manager)
        && Equals(latest.Scope, proposed.Scope)
        && Equals(latest.Inquiry, proposed.Inquiry)
        && proposed.Items.All(latest.Items.Contains)
        && proposed.Purposes.All(latest.Purposes.Contains)
        && proposed.JointUsers.All(user => latest.JointUsers.Any(before =>
            Equals(before.Name, user.Name) && before.Role == user.Role && Equals(before.Description, user.Description)
            && (before.PartyIds.Count == 0 || (user.PartyIds.Count > 0 && user.PartyIds.All(before.PartyIds.Contains)))));
}
