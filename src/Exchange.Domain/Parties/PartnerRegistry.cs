using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Parties;

/// <summary>What an administrator registers about a new party.</summary>
/// <param name="Id">Its party ID.</param>
/// <param name="Role">Its role's wire name.</param>
/// <param name="NameJa">Legal name in Japanese.</param>
/// <param name="NameEn">Legal name in Latin script.</param>
/// <param name="Contact">Whom to contact (optional).</param>
public sealed record NewParty(string Id, string Role, string NameJa, string NameEn, string? Contact);

/// <summary>What a garage (or an administrator for it) authorises a vendor to do.</summary>
/// <param name="GarageId">The authorising garage; null: the caller.</param>
/// <param name="VendorId">The vendor.</param>
/// <param name="Operations">Operation names (<see cref="VendorOperations"/>).</param>
/// <param name="ValidFrom">Start; null: now.</param>
/// <param name="ValidUntil">Exclusive end; null: until revoked.</param>
public sealed record AuthorisationGrant(string? GarageId, string VendorId, IReadOnlyCollection<string> Operations, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil);

/// <summary>
/// The partner registry: parties, their status and the vendor authorisations garages give. Every
/// change is recorded in the hub's audit log in the same transaction. A status change takes effect
/// on the party's next call, because every call reads it.
/// </summary>
public sealed class PartnerRegistry(
    IPartyRegistryStore parties,
    IAuthorisationRegistryStore authorisations,
    CertificateRegistry certificates,
    IHubAuditLog audit,
    IUnitOfWork unitOfWork,
    TimeProvider time)
{
    private const int MaxNameLength = 200;
    private const int MaxTextLength = 500;

    /// <summary>Registers a party (administrators).</summary>
    public async Task<PartyDetails> AddAsync(CallContext call, NewParty request, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        if (!PartyIds.IsValid(request.Id))
        {
            throw Invalid($"party_id '{request.Id}' is not valid: 1-{PartyIds.MaxLength} of lowercase letters, digits, '.', '-', '_'");
        }

        if (!PartyRoles.TryParse(request.Role, out var role))
        {
            throw Invalid($"role '{request.Role}' must be member-garage, group-body, vendor or administrator");
        }

        var nameJa = RequiredText(request.NameJa, "name_ja", MaxNameLength);
        var nameEn = RequiredText(request.NameEn, "name_en", MaxNameLength);
        var contact = OptionalText(request.Contact, "contact", MaxTextLength);
        var now = time.GetUtcNow();
        var details = new PartyDetails(new Party(request.Id, role, PartyStatus.Active, nameJa, nameEn), contact, now, now);
        await unitOfWork.RunAsync(
            async ct =>
            {
                if (await parties.FindAsync(request.Id, ct).ConfigureAwait(false) is not null)
                {
                    throw new ExchangeException(FailureKind.AlreadyExists, $"party '{request.Id}' is already registered");
                }

                await parties.AddAsync(details, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.PartyAdded, request.Id, $"role {role.ToWire()}; {nameJa} / {nameEn}", call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return details;
    }

    /// <summary>Parties, optionally filtered (administrators).</summary>
    public async Task<IReadOnlyList<PartyDetails>> ListAsync(CallContext call, string? role, PartyStatus? status, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        PartyRole? parsed = null;
        if (!string.IsNullOrEmpty(role))
        {
            parsed = PartyRoles.TryParse(role, out var r) ? r : throw Invalid($"role '{role}' must be member-garage, group-body, vendor or administrator");
        }

        return await parties.ListAsync(parsed, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One party: administrators read any, a party itself.</summary>
    public async Task<PartyDetails> GetAsync(CallContext call, string partyId, CancellationToken cancellationToken)
    {
        if (call.Caller.Role != PartyRole.Administrator && call.Caller.Id != partyId)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"a party reads only itself; '{call.Caller.Id}' asked for '{partyId}' (rule role.administrator-only)", "role.administrator-only");
        }

        return await FindRequiredAsync(partyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses the party's calls from its next one until reactivated (administrators).</summary>
    public Task<PartyDetails> SuspendAsync(CallContext call, string partyId, string? reason, CancellationToken cancellationToken) =>
        ChangeStatusAsync(call, partyId, PartyStatus.Suspended, reason, cancellationToken);

    /// <summary>Lets a suspended party call again (administrators).</summary>
    public Task<PartyDetails> ReactivateAsync(CallContext call, string partyId, string? reason, CancellationToken cancellationToken) =>
        ChangeStatusAsync(call, partyId, PartyStatus.Active, reason, cancellationToken);

    /// <summary>Withdraws a party for good: revokes its certificates and ends the authorisations naming it (administrators).</summary>
    public Task<PartyDetails> WithdrawAsync(CallContext call, string partyId, string? reason, CancellationToken cancellationToken) =>
        ChangeStatusAsync(call, partyId, PartyStatus.Withdrawn, reason, cancellationToken);

    /// <summary>Records a garage's authorisation of a vendor: by the garage itself, or by an administrator.</summary>
    public async Task<RecordedAuthorisation> GrantAsync(CallContext call, AuthorisationGrant grant, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var garageId = string.IsNullOrEmpty(grant.GarageId) ? caller.Id : grant.GarageId;
        RequireGarageOrAdministrator(caller, garageId, "authorises vendors");
        var operations = grant.Operations.Select(o => o.Trim()).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        if (operations.Count == 0)
        {
            throw Invalid("operations must name at least one of: " + string.Join(", ", VendorOperations.All.Order(StringComparer.Ordinal)));
        }

        if (operations.FirstOrDefault(o => !VendorOperations.All.Contains(o)) is { } unknown)
        {
            throw Invalid($"operation '{unknown}' is not one of: " + string.Join(", ", VendorOperations.All.Order(StringComparer.Ordinal)));
        }

        var now = time.GetUtcNow();
        var from = grant.ValidFrom ?? now;
        if (grant.ValidUntil is { } until && (until <= from || until <= now))
        {
            throw Invalid("valid_until must be later than valid_from and than now");
        }

        var garage = await FindRequiredAsync(garageId, cancellationToken).ConfigureAwait(false);
        RequireActiveWithRole(garage.Party, PartyRole.MemberGarage, "the authorising party");
        var vendor = await FindRequiredAsync(grant.VendorId, cancellationToken).ConfigureAwait(false);
        RequireActiveWithRole(vendor.Party, PartyRole.Vendor, "the authorised party");
        var authorisation = new VendorAuthorisation(garageId, grant.VendorId, from, grant.ValidUntil, operations);
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var recorded = await authorisations.AddAsync(authorisation, caller.Id, now, ct).ConfigureAwait(false);
                var window = grant.ValidUntil is { } end ? $"{AuditTime.Format(from)} to {AuditTime.Format(end)}" : $"from {AuditTime.Format(from)}, until revoked";
                await audit.AppendAsync(new HubAuditEvent(now, caller.Id, HubAuditActions.AuthorisationGranted, $"authorisation/{recorded.Id}", $"{garageId} authorises {grant.VendorId} to {string.Join(" and ", operations.Order(StringComparer.Ordinal))}, {window}", call.StaffId), ct).ConfigureAwait(false);
                return recorded;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Authorisations: administrators see all, a garage those it gave, a vendor those naming it.</summary>
    public async Task<IReadOnlyList<RecordedAuthorisation>> ListAuthorisationsAsync(CallContext call, string? garageId, string? vendorId, bool includeEnded, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        garageId = string.IsNullOrEmpty(garageId) ? null : garageId;
        vendorId = string.IsNullOrEmpty(vendorId) ? null : vendorId;
        switch (caller.Role)
        {
            case PartyRole.Administrator:
                break;
            case PartyRole.MemberGarage when garageId is null || garageId == caller.Id:
                garageId = caller.Id;
                break;
            case PartyRole.Vendor when vendorId is null || vendorId == caller.Id:
                vendorId = caller.Id;
                break;
            default:
                throw new ExchangeException(FailureKind.PermissionDenied, $"'{caller.Id}' may list only the authorisations it gave or received (rule authorisation.own-only)", "authorisation.own-only");
        }

        var now = time.GetUtcNow();
        var found = await authorisations.ListAsync(garageId, vendorId, cancellationToken).ConfigureAwait(false);
        return includeEnded ? found : found.Where(a => a.RevokedAt is null && (a.Authorisation.ValidUntil is null || a.Authorisation.ValidUntil > now)).ToList();
    }

    /// <summary>Ends an authorisation now: the garage that gave it, or an administrator.</summary>
    public async Task<RecordedAuthorisation> RevokeAuthorisationAsync(CallContext call, long id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var caller = call.Caller;
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var found = await authorisations.FindAsync(id, ct).ConfigureAwait(false)
                    ?? throw new ExchangeException(FailureKind.NotFound, $"there is no authorisation {id}");
                RequireGarageOrAdministrator(caller, found.Authorisation.GarageId, "revokes its authorisations");
                if (found.RevokedAt is not null || found.Authorisation.ValidUntil <= now)
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, $"authorisation {id} has already ended");
                }

                var revoked = await authorisations.RevokeAsync(id, caller.Id, now, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, caller.Id, HubAuditActions.AuthorisationRevoked, $"authorisation/{id}", $"{found.Authorisation.GarageId} no longer authorises {found.Authorisation.VendorId}", call.StaffId), ct).ConfigureAwait(false);
                return revoked;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static void RequireGarageOrAdministrator(Party caller, string garageId, string what)
    {
        if (caller.Role != PartyRole.Administrator && !(caller.Role == PartyRole.MemberGarage && caller.Id == garageId))
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"only the garage itself (or an administrator) {what}; '{caller.Id}' is not '{garageId}' (rule authorisation.garage-only)", "authorisation.garage-only");
        }
    }

    private static void RequireActiveWithRole(Party party, PartyRole role, string what)
    {
        if (party.Role != role)
        {
            throw Invalid($"{what} '{party.Id}' is a {party.Role.ToWire()}, not a {role.ToWire()}");
        }

        if (party.Status != PartyStatus.Active)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"{what} '{party.Id}' is {party.Status.ToString().ToLowerInvariant()}");
        }
    }

    private static ExchangeException Invalid(string message) => new(FailureKind.InvalidArgument, message);

    private static string RequiredText(string? value, string field, int maxLength) =>
        OptionalText(value, field, maxLength) ?? throw Invalid($"{field} is required");

    private static string? OptionalText(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > maxLength)
        {
            throw Invalid($"{field} is longer than {maxLength} characters");
        }

        return trimmed.Any(char.IsControl) ? throw Invalid($"{field} contains control characters") : trimmed;
    }

    private async Task<PartyDetails> FindRequiredAsync(string partyId, CancellationToken cancellationToken) =>
        await parties.FindAsync(partyId, cancellationToken).ConfigureAwait(false)
        ?? throw new ExchangeException(FailureKind.NotFound, $"party '{partyId}' is not registered");

    private async Task<PartyDetails> ChangeStatusAsync(CallContext call, string partyId, PartyStatus status, string? reason, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var note = OptionalText(reason, "reason", MaxTextLength);
        if (partyId == call.Caller.Id)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, "an administrator cannot change its own state; ask another administrator");
        }

        var now = time.GetUtcNow();
        var action = status switch
        {
            PartyStatus.Suspended => HubAuditActions.PartySuspended,
            PartyStatus.Withdrawn => HubAuditActions.PartyWithdrawn,
            _ => HubAuditActions.PartyReactivated,
        };
        await unitOfWork.RunAsync(
            async ct =>
            {
                var current = (await parties.FindAsync(partyId, ct).ConfigureAwait(false)
                    ?? throw new ExchangeException(FailureKind.NotFound, $"party '{partyId}' is not registered")).Party.Status;
                if (current == PartyStatus.Withdrawn)
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, $"party '{partyId}' has withdrawn for good; register a new party instead");
                }

                if (current == status || (status == PartyStatus.Active && current != PartyStatus.Suspended))
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, $"party '{partyId}' is already {current.ToString().ToLowerInvariant()}");
                }

                await parties.SetStatusAsync(partyId, status, now, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, action, partyId, note ?? "", call.StaffId), ct).ConfigureAwait(false);
                if (status == PartyStatus.Withdrawn)
                {
                    await EndAuthorisationsAsync(call, partyId, now, ct).ConfigureAwait(false);
                    await certificates.RevokeAllOfPartyAsync(call, partyId, RevocationReason.CessationOfOperation, "party withdrawn", ct).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return await FindRequiredAsync(partyId, cancellationToken).ConfigureAwait(false);
    }

    private async Task EndAuthorisationsAsync(CallContext call, string partyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var actor = call.Caller.Id;
        var naming = (await authorisations.ListAsync(partyId, null, cancellationToken).ConfigureAwait(false))
            .Concat(await authorisations.ListAsync(null, partyId, cancellationToken).ConfigureAwait(false))
            .Where(a => a.RevokedAt is null && (a.Authorisation.ValidUntil is null || a.Authorisation.ValidUntil > now));
        foreach (var found in naming)
        {
            await authorisations.RevokeAsync(found.Id, actor, now, cancellationToken).ConfigureAwait(false);
            await audit.AppendAsync(new HubAuditEvent(now, actor, HubAuditActions.AuthorisationRevoked, $"authorisation/{found.Id}", $"{found.Authorisation.GarageId} no longer authorises {found.Authorisation.VendorId}: party '{partyId}' withdrew", call.StaffId), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The rules for party IDs (the last segment of a party's SPIFFE ID).</summary>
public static class PartyIds
{
    /// <summary>The longest party ID.</summary>
    public const int MaxLength = 64;

    /// <summary>True for 1-64 of lowercase letters, digits, '.', '-', '_' (not "." or "..").</summary>
    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && value is not ("." or "..")
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');
}
