using System.Security.Cryptography;
using Exchange.Domain;
using Exchange.Domain.Audit;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Exchange.Domain.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Exchange.Host.Console;

namespace Exchange.Host.Staff;

/// <summary>
/// Staff accounts managed in the console: operators manage any party's staff, a party administrator
/// their own party's. Every change is audited with the acting party and person; the audit names
/// people by staff ID only.
/// </summary>
internal sealed class StaffAdministration(
    UserManager<StaffAccount> users,
    IPartyDirectory parties,
    IHubAuditLog audit,
    IUnitOfWork unitOfWork,
    TimeProvider time,
    ILogger<StaffAdministration> logger)
{
    /// <summary>A new account and the one-time password to hand to the person.</summary>
    public sealed record Created(StaffAccount Account, string OneTimePassword);

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CallContext call, string? partyId, CancellationToken cancellationToken)
    {
        var scope = await ScopeAsync(call, partyId, cancellationToken).ConfigureAwait(false);
        var query = users.Users.AsNoTracking();
        if (scope is not null)
        {
            query = query.Where(a => a.PartyId == scope);
        }

        return await query.OrderBy(a => a.PartyId).ThenBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Created> CreateAsync(CallContext call, string partyId, string signInName, string displayName, StaffRole role, CancellationToken cancellationToken)
    {
        await ScopeAsync(call, partyId, cancellationToken).ConfigureAwait(false);
        if (signInName is not { Length: >= 3 and <= 64 } || !signInName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+'))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "sign_in_name must be 3-64 of letters, digits, '.', '_', '-', '@', '+'");
        }

        if (displayName is not { Length: >= 1 and <= 100 } || displayName.Any(char.IsControl) || displayName.Trim().Length == 0)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "display_name must be 1-100 characters, not blank, without control characters");
        }

        if (!Enum.IsDefined(role))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "role must be member or party-administrator");
        }

        if (await parties.FindAsync(partyId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ExchangeException(FailureKind.NotFound, $"party '{partyId}' is not registered");
        }

        var account = new StaffAccount { Id = StaffMember.NewId(), UserName = signInName, PartyId = partyId, DisplayName = displayName, Role = role };
        var password = OneTimePassword();
        await unitOfWork.RunAsync(
            async ct =>
            {
                Check(await users.CreateAsync(account, password).ConfigureAwait(false));
                await AuditAsync(call, StaffAuditActions.Added, account, $"{role} of {partyId}", ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return new Created(account, password);
    }

    public Task<StaffAccount> DisableAsync(CallContext call, string staffId, CancellationToken cancellationToken) =>
        ChangeAsync(call, staffId, StaffAuditActions.Disabled, async account =>
        {
            account.Enabled = false;
            Check(await users.UpdateSecurityStampAsync(account).ConfigureAwait(false));
        }, cancellationToken);

    public Task<StaffAccount> EnableAsync(CallContext call, string staffId, CancellationToken cancellationToken) =>
        ChangeAsync(call, staffId, StaffAuditActions.Enabled, async account =>
        {
            account.Enabled = true;
            Check(await users.UpdateAsync(account).ConfigureAwait(false));
        }, cancellationToken);

    public Task<StaffAccount> ResetSecondFactorAsync(CallContext call, string staffId, CancellationToken cancellationToken) =>
        ChangeAsync(call, staffId, StaffAuditActions.SecondFactorReset, async account =>
        {
            Check(await users.SetTwoFactorEnabledAsync(account, false).ConfigureAwait(false));
            Check(await users.ResetAuthenticatorKeyAsync(account).ConfigureAwait(false));
        }, cancellationToken);

    /// <summary>Records a sign-in or an enrolment: the person acts for their own party.</summary>
    public async Task RecordOwnAsync(StaffAccount account, string action, CancellationToken cancellationToken)
    {
        await unitOfWork.RunAsync(
            async ct =>
            {
                await audit.AppendAsync(new HubAuditEvent(time.GetUtcNow(), account.PartyId, action, account.Id, $"{account.Role} of {account.PartyId}", account.Id), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<StaffAccount> ChangeAsync(CallContext call, string staffId, string action, Func<StaffAccount, Task> change, CancellationToken cancellationToken)
    {
        var account = await users.FindByIdAsync(staffId).ConfigureAwait(false) ?? throw new ExchangeException(FailureKind.NotFound, $"no staff member '{staffId}'");
        await ScopeAsync(call, account.PartyId, cancellationToken).ConfigureAwait(false);
        await unitOfWork.RunAsync(
            async ct =>
            {
                await change(account).ConfigureAwait(false);
                await AuditAsync(call, action, account, $"{account.Role} of {account.PartyId}", ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return account;
    }

    // Operators manage every party (null: no limit); a party administrator only their own party.
    private async Task<string?> ScopeAsync(CallContext call, string? partyId, CancellationToken cancellationToken)
    {
        if (call.Caller.Role == PartyRole.Administrator)
        {
            return partyId;
        }

        var acting = call.StaffId is null ? null : await users.FindByIdAsync(call.StaffId).ConfigureAwait(false);
        if (acting is not { Role: StaffRole.PartyAdministrator } || (partyId is not null && partyId != call.Caller.Id))
        {
            throw new ExchangeException(FailureKind.PermissionDenied, "only operators and the party's own administrators manage its staff (rule staff.manage)", "staff.manage");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return call.Caller.Id;
    }

    private async Task AuditAsync(CallContext call, string action, StaffAccount account, string details, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(new HubAuditEvent(time.GetUtcNow(), call.Caller.Id, action, account.Id, details, call.StaffId), cancellationToken).ConfigureAwait(false);
        ConsoleLog.StaffChanged(logger, action, account.Id, account.PartyId, call.StaffId ?? "(system)", call.Caller.Id);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>A random password that meets Identity's rules whatever the random part holds.</summary>
    public static string OneTimePassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('/', '-').Replace('+', '_') + "aA1!";
}
