using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Feed;
using Exchange.Domain.Items;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Declarations;

/// <summary>The published declaration versions; storage implements it.</summary>
public interface IDeclarationStore
{
    /// <summary>Every version, ordered by version number.</summary>
    Task<IReadOnlyList<DeclarationRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a version; fails when its number exists already.</summary>
    Task AddAsync(DeclarationRecord record, CancellationToken cancellationToken);
}

/// <summary>Publication rules for the declaration.</summary>
public sealed class DeclarationSettings
{
    /// <summary>
    /// Minimum time between publishing a version and its taking effect, so persons can read it
    /// (and opt out) before it applies. Default 14 days.
    /// </summary>
    public TimeSpan MinimumNotice { get; set; } = TimeSpan.FromDays(14);
}

/// <summary>
/// Publishes declaration versions and answers which one is in force at a moment. Each publication
/// is recorded in the hub's audit log (version, hash, effective time and what changed against the
/// version before) in the same transaction as the version.
/// </summary>
public sealed class DeclarationRegistry(IDeclarationStore store, TimeProvider time, DeclarationSettings settings, IHubAuditLog audit, IUnitOfWork unitOfWork, IFeedStore feed)
{
    /// <summary>The rule of a refusal for malformed content or timing.</summary>
    public const string PublicationRule = "declaration.publication";

    /// <summary>The rule of a refusal for adding items or joint users (APPI Art. 27(5)(iii), 27(6)).</summary>
    public const string AdditionRule = "declaration.addition-needs-consent";

    private static readonly HashSet<string> JointUserRoles = [PartyRole.MemberGarage.ToWire(), PartyRole.GroupBody.ToWire(), PartyRole.Vendor.ToWire()];

    /// <summary>The minimum notice period in force.</summary>
    public TimeSpan MinimumNotice => settings.MinimumNotice;

    /// <summary>
    /// On an empty store, records <paramref name="initial"/> (the shipped declaration, managed by the
    /// body that runs the hub) as version 1, in force at once: it is the members' already-published
    /// privacy policy.
    /// </summary>
    /// <exception cref="ExchangeException">The store is empty and <paramref name="initial"/> breaks a publication rule.</exception>
    public async Task EnsureSeededAsync(DeclarationContent initial, CancellationToken cancellationToken)
    {
        if ((await store.ListAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            var problems = Validate(initial).ToList();
            if (problems.Count > 0)
            {
                throw new ExchangeException(FailureKind.InvalidArgument, "Shipped declaration refused: " + string.Join("; ", problems) + ".", PublicationRule);
            }

            var now = time.GetUtcNow();
            await store.AddAsync(new DeclarationRecord(1, now, now, initial), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every version, oldest first.</summary>
    public Task<IReadOnlyList<DeclarationRecord>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>The version in force at <paramref name="at"/>.</summary>
    /// <exception cref="ExchangeException">No version is in force then.</exception>
    public async Task<DeclarationRecord> InForceAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var versions = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        return versions.Where(v => v.EffectiveAt <= at).MaxBy(v => v.Version)
            ?? throw new ExchangeException(FailureKind.FailedPrecondition, $"No joint-use declaration is in force at {at:O}.", "declaration.none-in-force");
    }

    /// <summary>
    /// Publishes a new version now, taking effect at <paramref name="effectiveAt"/> (administrators).
    /// Under APPI Art. 27(6) prior notice covers a change of the responsible manager (name, address,
    /// representative) and of the purposes: such a version needs the notice period. A version that
    /// adds items or joint users to the latest one is refused (notice alone does not allow it). A
    /// version that only narrows the latest one (removes items, joint users or purposes) may take
    /// effect at once.
    /// </summary>
    /// <exception cref="ExchangeException">The caller is no administrator, or the content or timing breaks a publication rule.</exception>
    public async Task<DeclarationRecord> PublishAsync(CallContext call, DeclarationContent content, DateTimeOffset effectiveAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(content);
        call.RequireAdministrator();
        var now = time.GetUtcNow();
        var problems = Validate(content).ToList();
        if (problems.Count > 0)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "Declaration refused: " + string.Join("; ", problems) + ".", PublicationRule);
        }

        return await unitOfWork.RunAsync(
            async ct =>
            {
                var versions = await store.ListAsync(ct).ConfigureAwait(false);
                var latest = versions.MaxBy(v => v.Version);
                if (latest is not null)
                {
                    var additions = DeclarationChanges.AddedItems(latest.Content, content).Select(i => $"item '{i}'")
                        .Concat(DeclarationChanges.AddedJointUsers(latest.Content, content).Select(u => $"joint user {u}")).ToList();
                    if (additions.Count > 0)
                    {
                        throw new ExchangeException(
                            FailureKind.FailedPrecondition,
                            $"Declaration refused: it adds {string.Join(", ", additions)} to version {latest.Version}. Adding items or joint users to a joint use is not a change that prior notice allows: APPI Art. 27(6) lets only the responsible manager and the purposes change by notice, so the joint use announced under Art. 27(5)(iii) cannot grow this way (rule {AdditionRule}).",
                            AdditionRule);
                    }
                }

                var narrowing = latest is not null && DeclarationChanges.IsNarrowing(latest.Content, content);
                if (narrowing ? effectiveAt < now : effectiveAt - now < settings.MinimumNotice)
                {
                    problems.Add(narrowing
                        ? $"effective_at {effectiveAt:O} is before publication ({now:O})"
                        : $"effective_at {effectiveAt:O} is less than the minimum notice period ({settings.MinimumNotice.TotalDays:0.##} days) after publication ({now:O}); only a version that narrows the latest one (removes items, joint users or purposes, and changes nothing else) may take effect sooner");
                }

                if (latest is not null && effectiveAt <= latest.EffectiveAt)
                {
                    problems.Add($"effective_at must be after version {latest.Version}'s effective time {latest.EffectiveAt:O}");
                }

                if (problems.Count > 0)
                {
                    throw new ExchangeException(FailureKind.InvalidArgument, "Declaration refused: " + string.Join("; ", problems) + ".", PublicationRule);
                }

                var record = new DeclarationRecord((latest?.Version ?? 0) + 1, now, effectiveAt, content);
                await store.AddAsync(record, ct).ConfigureAwait(false);
                var details = $"version {record.Version}, hash {record.Hash}, published {AuditTime.Format(record.PublishedAt)}, effective {AuditTime.Format(record.EffectiveAt)}; "
                    + (latest is null ? "first version" : $"against version {latest.Version}: {DeclarationChanges.Describe(latest.Content, record.Content)}");
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.DeclarationPublished, $"declaration/{record.Version}", details, call.StaffId), ct).ConfigureAwait(false);
                await feed.AppendAsync([FeedEntries.DeclarationPublished(record)], ct).ConfigureAwait(false);
                return record;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> Validate(DeclarationContent content)
    {
        var catalog = ItemCatalog.CustomerRecords;
        if (content.Items.Count == 0)
        {
            yield return "it must declare at least one item";
        }

        foreach (var duplicate in content.Items.GroupBy(i => i.Id).Where(g => g.Count() > 1))
        {
            yield return $"item '{duplicate.Key}' is declared twice";
        }

        foreach (var item in content.Items)
        {
            if (!catalog.Items.Contains(item.Id))
            {
                yield return $"item '{item.Id}' is not an item of the schema ({string.Join(", ", catalog.Items.Order(StringComparer.Ordinal))})";
            }

            if (!IsComplete(item.Name))
            {
                yield return $"item '{item.Id}' needs a Japanese and an English name";
            }
        }

        if (content.Purposes.Count == 0)
        {
            yield return "it must declare at least one purpose";
        }

        foreach (var duplicate in content.Purposes.GroupBy(p => p.Id).Where(g => g.Count() > 1))
        {
            yield return $"purpose '{duplicate.Key}' is declared twice";
        }

        foreach (var purpose in content.Purposes)
        {
            if (string.IsNullOrWhiteSpace(purpose.Id) || purpose.Id == Purposes.AfterSales || !purpose.Id.All(c => c is (>= 'a' and <= 'z') or '-'))
            {
                yield return $"purpose ID '{purpose.Id}' must be lowercase letters and '-', and not '{Purposes.AfterSales}'";
            }

            if (purpose.Id == Purposes.Recall && purpose.OptOutAllowed)
            {
                yield return "the recall purpose cannot allow opt-out";
            }

            if (!IsComplete(purpose.Description))
            {
                yield return $"purpose '{purpose.Id}' needs a Japanese and an English description";
            }
        }

        if (content.JointUsers.Count == 0)
        {
            yield return "it must name the joint users";
        }

        foreach (var user in content.JointUsers)
        {
            if (!JointUserRoles.Contains(user.Role))
            {
                yield return $"joint user role '{user.Role}' must be one of {string.Join(", ", JointUserRoles)}";
            }

            if (!IsComplete(user.Name))
            {
                yield return "every joint user needs a Japanese and an English name";
            }

            if (user.PartyIds.Count == 0 && user.Role != PartyRole.MemberGarage.ToWire())
            {
                yield return $"joint user '{user.Name?.En}' ({user.Role}) must name its party IDs; only the member-garage class may name none";
            }

            foreach (var id in user.PartyIds.Where(id => string.IsNullOrWhiteSpace(id) || id.Length > 64 || !id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.')))
            {
                yield return $"joint user party ID '{id}' must be lowercase letters, digits, '-', '_' or '.'";
            }
        }

        foreach (var duplicate in content.JointUsers.SelectMany(u => u.PartyIds).GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"party ID '{duplicate.Key}' is named by more than one joint user";
        }

        if (content.JointUsers.Count(u => u.PartyIds.Count == 0) > 1)
        {
            yield return "the member-garage class is declared twice";
        }

        if (content.Manager is null || !IsComplete(content.Manager.Name) || !IsComplete(content.Manager.Address) || !IsComplete(content.Manager.Representative))
        {
            yield return "the responsible manager needs a name, an address and a representative, in Japanese and English";
        }

        if (content.Inquiry is null || !IsComplete(content.Inquiry.Name) || (string.IsNullOrWhiteSpace(content.Inquiry.Phone) && string.IsNullOrWhiteSpace(content.Inquiry.Email) && !IsComplete(content.Inquiry.Address)))
        {
            yield return "the inquiry contact (お問い合わせ窓口) needs a name in Japanese and English, and a telephone number, an email address or a postal address";
        }
    }

    private static bool IsComplete(LocalizedText? text) =>
        text is not null && !string.IsNullOrWhiteSpace(text.Ja) && !string.IsNullOrWhiteSpace(text.En);
}
