using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Provisions;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Oversight;

/// <summary>
/// The scope of an incident (APPI Art. 26): given a party (say, one whose certificate was
/// compromised) and a time window, every person whose data it received, from the provision log,
/// with counts by item and whether any item is one whose leak is reportable by itself.
/// Administrators only; each reading is audited.
/// </summary>
public sealed class IncidentScopes(IOversightStore store, IHubAuditLog audit, IUnitOfWork unitOfWork, DeclarationRegistry declarations, OversightSettings settings, TimeProvider time)
{
    /// <summary>The affected persons a stream message carries.</summary>
    public const int PersonsPerMessage = 1000;

    /// <summary>The scope of <paramref name="request"/>'s party and window, and every affected person in subject ID order.</summary>
    public async Task<(IncidentScope Scope, IReadOnlyList<AffectedPerson> Affected)> ScopeAsync(CallContext call, GetIncidentScopeRequest request, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        Identifiers.RequirePartyId(request.Party, "party");
        // The request screen has already refused a Timestamp outside years 1-9999.
        if (request.From is null || request.To is null || request.From.ToDateTimeOffset() >= request.To.ToDateTimeOffset())
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "from and to must be valid times, from before to");
        }

        var (from, to) = (request.From.ToDateTimeOffset(), request.To.ToDateTimeOffset());
        var persons = new Dictionary<string, Person>(StringComparer.Ordinal);
        var itemProvisions = new Dictionary<string, long>(StringComparer.Ordinal);
        long provisions = 0;
        await foreach (var received in store.ReceivedByAsync(request.Party, from, to, cancellationToken).ConfigureAwait(false))
        {
            provisions++;
            if (!persons.TryGetValue(received.SubjectId, out var person))
            {
                persons[received.SubjectId] = person = new Person(received.Time);
            }

            person.Add(received);
            foreach (var item in received.Items)
            {
                itemProvisions[item] = itemProvisions.GetValueOrDefault(item) + 1;
            }
        }

        var itemPersons = persons.Values.SelectMany(p => p.Items).CountBy(i => i, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var records = await store.RecordsOfAsync(persons.Keys, cancellationToken).ConfigureAwait(false);
        var declaration = await declarations.InForceAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var names = declaration.Content.Items.ToDictionary(i => i.Id, i => i.Name?.Ja ?? "", StringComparer.Ordinal);
        var scope = new IncidentScope { Party = request.Party, From = request.From, To = request.To, Persons = persons.Count, Provisions = provisions };
        foreach (var (item, count) in itemProvisions.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            scope.Items.Add(new ItemCount
            {
                Item = item,
                ItemNameJa = names.GetValueOrDefault(item, ""),
                Provisions = count,
                Persons = itemPersons[item],
                Sensitive = settings.SensitiveItems.Contains(item),
            });
        }

        var affectedPersons = new List<AffectedPerson>(persons.Count);
        foreach (var (subject, person) in persons.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var affected = new AffectedPerson
            {
                SubjectId = subject,
                Items = { person.Items.Order(StringComparer.Ordinal) },
                Provisions = person.Provisions,
                First = Timestamp.FromDateTimeOffset(person.First),
                Last = Timestamp.FromDateTimeOffset(person.Last),
                Sensitive = person.Items.Overlaps(settings.SensitiveItems),
            };
            if (records.TryGetValue(subject, out var key))
            {
                affected.Record = key;
            }

            affectedPersons.Add(affected);
        }

        scope.Sensitive = scope.Items.Any(i => i.Sensitive);
        scope.ReportRequired = scope.Sensitive || scope.Persons > settings.ReportThreshold;
        var details = $"window {AuditTime.Format(from)}–{AuditTime.Format(to)}; {scope.Persons} person(s), {provisions} provision(s); report {(scope.ReportRequired ? "required" : "not required by size or items")}";
        await unitOfWork.RunAsync(
            async ct =>
            {
                await audit.AppendAsync(new HubAuditEvent(time.GetUtcNow(), call.Caller.Id, HubAuditActions.IncidentScopeRead, request.Party, details, call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return (scope, affectedPersons);
    }

    private sealed class Person(DateTimeOffset first)
    {
        public HashSet<string> Items { get; } = new(StringComparer.Ordinal);

        public long Provisions { get; private set; }

        public DateTimeOffset First { get; private set; } = first;

        public DateTimeOffset Last { get; private set; } = first;

        public void Add(ReceivedData received)
        {
            Provisions++;
            Items.UnionWith(received.Items);
            First = received.Time < First ? received.Time : First;
            Last = received.Time > Last ? received.Time : Last;
        }
    }
}
