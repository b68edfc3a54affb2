using Exchange.Contracts.V1;

namespace Exchange.Domain.Declarations;

/// <summary>
/// What a declaration version changes against the version before it: in the terms of APPI
/// Art. 27(6) (what it adds, which notice does not allow; whether it only narrows), and in words for
/// the hub's audit log.
/// </summary>
public static class DeclarationChanges
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


    /// <summary>
    /// The changes from <paramref name="before"/> (null: there was none) to <paramref name="after"/>:
    /// items, purposes (and whether each may be opted out of), joint users, the responsible manager
    /// and the scope; "no change of content" when they are the same.
    /// </summary>
    public static string Describe(DeclarationContent? before, DeclarationContent after)
    {
        if (before is null)
        {
            return "first version";
        }

        var changes = new List<string>();
        Compare("items", before.Items.Select(i => i.Id), after.Items.Select(i => i.Id), changes);
        Compare("purposes", before.Purposes.Select(p => p.Id), after.Purposes.Select(p => p.Id), changes);
        foreach (var purpose in after.Purposes)
        {
            if (before.Purposes.FirstOrDefault(p => p.Id == purpose.Id) is { } was)
            {
                if (was.OptOutAllowed != purpose.OptOutAllowed)
                {
                    changes.Add($"purpose {purpose.Id} {(purpose.OptOutAllowed ? "now allows" : "no longer allows")} opt-out");
                }

                if (!Equals(was.Description, purpose.Description))
                {
                    changes.Add($"purpose {purpose.Id} description changed");
                }
            }
        }

        Compare("joint users", before.JointUsers.Select(Name), after.JointUsers.Select(Name), changes);
        var (wasManager, manager) = (before.Manager ?? new ResponsibleManager(), after.Manager ?? new ResponsibleManager());
        AddIfChanged("manager name", wasManager.Name, manager.Name, changes);
        AddIfChanged("manager address", wasManager.Address, manager.Address, changes);
        AddIfChanged("manager representative", wasManager.Representative, manager.Representative, changes);
        AddIfChanged("scope", before.Scope, after.Scope, changes);
        if (!Equals(before.Inquiry, after.Inquiry))
        {
            changes.Add("inquiry contact changed");
        }

        if (changes.Count == 0 && !before.Equals(after))
        {
            changes.Add("wording changed");
        }

        return changes.Count == 0 ? "no change of content" : string.Join("; ", changes);
    }

    private static string Name(JointUser user) => $"{user.Role} {user.Name?.Ja}";

    private static void Compare(string what, IEnumerable<string> before, IEnumerable<string> after, List<string> changes)
    {
        var (was, now) = (before.ToHashSet(StringComparer.Ordinal), after.ToHashSet(StringComparer.Ordinal));
        var added = now.Except(was).Order(StringComparer.Ordinal).ToList();
        var removed = was.Except(now).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
        {
            changes.Add($"{what} added: {string.Join(", ", added)}");
        }

        if (removed.Count > 0)
        {
            changes.Add($"{what} removed: {string.Join(", ", removed)}");
        }
    }

    private static void AddIfChanged(string what, LocalizedText? before, LocalizedText? after, List<string> changes)
    {
        if (!Equals(before ?? new LocalizedText(), after ?? new LocalizedText()))
        {
            changes.Add($"{what}: {Text(before)} -> {Text(after)}");
        }
    }

    private static string Text(LocalizedText? text) => text is null || (text.Ja.Length == 0 && text.En.Length == 0) ? "none" : $"{text.Ja} / {text.En}";
}
