using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Oversight;

/// <summary>
/// Provisions made outside joint use on an exceptional legal ground (APPI Art. 27(1); Kaminoyama
/// §9): a court, the police or another authority. Each is recorded as the log's own outcome,
/// <see cref="ProvisionOutcome.Exceptional"/>, one entry per person, with the legal basis as the
/// entry's rule and the authority kept beside it; administrators record and read them.
/// </summary>
public sealed class ExceptionalProvisions(
    ICustomerStore customers,
    IProvisionLogStore log,
    IOversightStore store,
    IUnitOfWork unitOfWork,
    IHubAuditLog audit,
    DeclarationRegistry declarations,
    OversightSettings settings,
    ILogSigner signer,
    TimeProvider time)
{
    /// <summary>The recipient the log names for an authority (its name is kept beside the entry, not in the chain).</summary>
    public const string Authority = "authority";

    /// <summary>The purpose the log names: a legal obligation, not a joint-use purpose.</summary>
    public const string Purpose = "exceptional-provision";

    /// <summary>The most records one exceptional provision names.</summary>
    public const int MaxRecords = 1000;

    private const int MaxAuthority = 200;
    private const int MaxParticulars = 500;

    /// <summary>Records an exceptional provision (administrators only).</summary>
    public async Task<ExceptionalProvision> RecordAsync(CallContext call, RecordExceptionalProvisionRequest request, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var now = time.GetUtcNow();
        var (authority, particulars, basis, items) = Validate(request, now);
        var providedAt = request.ProvidedAt?.ToDateTimeOffset() ?? now;
        var subjects = new List<(CustomerKey Key, string SubjectId)>(request.Records.Count);
        foreach (var key in request.Records)
        {
            var customer = await customers.FindAsync(key.OwnerParty, key.CustomerRef, cancellationToken).ConfigureAwait(false)
                ?? throw new ExchangeException(FailureKind.NotFound, $"'{key.OwnerParty}' holds no customer {Identifiers.Quote(key.CustomerRef)}");
            subjects.Add((key, customer.SubjectId));
        }

        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var provision = new ExceptionalProvision
        {
            Id = "exc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Records = { subjects.Select(s => s.Key) },
            SubjectIds = { subjects.Select(s => s.SubjectId) },
            Items = { items },
            Authority = authority,
            LegalBasis = request.LegalBasis,
            Particulars = particulars,
            DiscloseToSubject = request.HasDiscloseToSubject ? request.DiscloseToSubject : settings.DiscloseExceptionalByDefault,
            ProvidedAt = Timestamp.FromDateTimeOffset(providedAt),
            RecordedBy = call.Caller.Id,
            RecordedAt = Timestamp.FromDateTimeOffset(now),
        };
        var facts = subjects.Select(s => new ProvisionFact(now, s.Key.OwnerParty, Authority, null, s.SubjectId, items, Purpose, declaration.Version, declaration.Hash, call.CallId, ProvisionOutcome.Exceptional, basis, call.StaffId)).ToList();
        await unitOfWork.RunAsync(
            async ct =>
            {
                var entries = await log.AppendAsync(facts, ct).ConfigureAwait(false);
                provision.Sequences.AddRange(entries.Select(e => e.Sequence));
                await store.AddExceptionalAsync(provision, ct).ConfigureAwait(false);
                var details = $"{basis} to an authority; {subjects.Count} person(s); items {string.Join(' ', items)}; provided {AuditTime.Format(providedAt)}; "
                    + $"{(provision.DiscloseToSubject ? "shown" : "not shown")} in the persons' reports; provision-log entries {entries[0].Sequence}–{entries[^1].Sequence}";
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.ExceptionalProvisionRecorded, provision.Id, details, call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return provision;
    }

    /// <summary>Exceptional provisions, newest first, a page at a time (administrators only).</summary>
    public async Task<(IReadOnlyList<ExceptionalProvision> Page, string NextPageToken)> ListAsync(CallContext call, int limit, string pageToken, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        if (limit is < 0 or > 1000)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "limit must be 0 (100) to 1000");
        }

        var count = limit == 0 ? 100 : limit;
        var now = time.GetUtcNow();
        var before = ExceptionalPageToken.Open(pageToken, now, signer);
        var page = await store.ListExceptionalAsync(count + 1, before, cancellationToken).ConfigureAwait(false);
        if (page.Count <= count)
        {
            return (page, "");
        }

        var last = page[count - 1];
        return (page.Take(count).ToList(), ExceptionalPageToken.Issue(new ExceptionalPosition(last.RecordedAt.ToDateTimeOffset(), last.Id), now, signer));
    }

    /// <summary>The wire name of a legal basis, as the log's rule records it.</summary>
    public static string BasisName(LegalBasis basis) => basis switch
    {
        LegalBasis.LawsAndRegulations => "laws-and-regulations",
        LegalBasis.ProtectionOfLifeOrProperty => "protection-of-life-or-property",
        LegalBasis.PublicHealth => "public-health",
        LegalBasis.CooperationWithAuthorities => "cooperation-with-authorities",
        _ => throw new ArgumentOutOfRangeException(nameof(basis)),
    };

    private static (string Authority, string Particulars, string Basis, IReadOnlyList<string> Items) Validate(RecordExceptionalProvisionRequest request, DateTimeOffset now)
    {
        if (request.Records.Count is 0 or > MaxRecords)
        {
            throw Invalid($"records must name 1 to {MaxRecords} customer records");
        }

        var seen = new HashSet<(string, string)>();
        foreach (var key in request.Records)
        {
            Identifiers.RequirePartyId(key.OwnerParty, "records.owner_party");
            Identifiers.RequireReference(key.CustomerRef, "records.customer_ref");
            if (!seen.Add((key.OwnerParty, key.CustomerRef)))
            {
                throw Invalid($"records names {key.OwnerParty}/{Identifiers.Quote(key.CustomerRef)} twice");
            }
        }

        if (!System.Enum.IsDefined(request.LegalBasis) || request.LegalBasis == LegalBasis.Unspecified)
        {
            throw Invalid("legal_basis must be one of the grounds of APPI Art. 27(1)");
        }

        var authority = Text(request.Authority, "authority", MaxAuthority, required: true);
        var particulars = Text(request.Particulars, "particulars", MaxParticulars, required: false);
        if (request.Items.Count == 0)
        {
            throw Invalid("items must name the declared items or groups provided");
        }

        if (Identifiers.RequestProblem("", request.Items) is { } malformed)
        {
            throw Invalid(malformed);
        }

        if (!ItemCatalog.CustomerRecords.TryExpand(request.Items, out var expanded, out var unknown))
        {
            throw Invalid($"items holds {Identifiers.Quote(unknown)}, which is not a declared item or group");
        }

        // The request screen has already refused a Timestamp outside years 1-9999.
        if (request.ProvidedAt is { } provided && provided.ToDateTimeOffset() > now.AddMinutes(5))
        {
            throw Invalid("provided_at must not be in the future");
        }

        return (authority, particulars, BasisName(request.LegalBasis), expanded.Order(StringComparer.Ordinal).ToList());
    }

    private static string Text(string value, string field, int max, bool required) =>
        Identifiers.FreeTextProblem(value, max, required) is { } problem ? throw Invalid($"{field} {problem}") : value;

    private static ExchangeException Invalid(string message) => new(FailureKind.InvalidArgument, message);
}
