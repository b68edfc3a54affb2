using Exchange.Contracts.V1;
using Exchange.Host.Calls;
using Exchange.Storage.Entities;
using Grpc.Core;
using DomainStaffRole = Exchange.Domain.Staff.StaffRole;
using Exchange.Host.Staff;

namespace Exchange.Host.Services;

/// <summary>Staff accounts over gRPC, through the same <see cref="StaffAdministration"/> the console uses.</summary>
internal sealed class StaffService(CallContextFactory calls, StaffAdministration staff) : Contracts.V1.Staff.StaffBase
{
    public override async Task<AddStaffResponse> AddStaff(AddStaffRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var role = request.Role switch
        {
            StaffRole.Member => DomainStaffRole.Member,
            StaffRole.PartyAdministrator => DomainStaffRole.PartyAdministrator,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "role must be STAFF_ROLE_MEMBER or STAFF_ROLE_PARTY_ADMINISTRATOR")),
        };
        var created = await staff.CreateAsync(call, request.PartyId, request.SignInName, request.DisplayName, role, context.CancellationToken).ConfigureAwait(false);
        return new AddStaffResponse { Member = ToMessage(created.Account), OneTimePassword = created.OneTimePassword };
    }

    public override async Task<ListStaffResponse> ListStaff(ListStaffRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var response = new ListStaffResponse();
        response.Members.AddRange((await staff.ListAsync(call, request.PartyId.Length == 0 ? null : request.PartyId, context.CancellationToken).ConfigureAwait(false)).Select(ToMessage));
        return response;
    }

    public override async Task<StaffMemberInfo> DisableStaff(StaffMemberRequest request, ServerCallContext context) =>
        ToMessage(await staff.DisableAsync(await calls.CreateAsync(context).ConfigureAwait(false), request.StaffId, context.CancellationToken).ConfigureAwait(false));

    public override async Task<StaffMemberInfo> EnableStaff(StaffMemberRequest request, ServerCallContext context) =>
        ToMessage(await staff.EnableAsync(await calls.CreateAsync(context).ConfigureAwait(false), request.StaffId, context.CancellationToken).ConfigureAwait(false));

    public override async Task<StaffMemberInfo> ResetSecondFactor(StaffMemberRequest request, ServerCallContext context) =>
        ToMessage(await staff.ResetSecondFactorAsync(await calls.CreateAsync(context).ConfigureAwait(false), request.StaffId, context.CancellationToken).ConfigureAwait(false));

    private static StaffMemberInfo ToMessage(StaffAccount account) => new()
    {
        StaffId = account.Id,
        PartyId = account.PartyId,
        SignInName = account.UserName ?? "",
        DisplayName = account.DisplayName,
        Role = account.Role == DomainStaffRole.PartyAdministrator ? StaffRole.PartyAdministrator : StaffRole.Member,
        Enabled = account.Enabled,
        SecondFactor = account.TwoFactorEnabled,
    };
}
