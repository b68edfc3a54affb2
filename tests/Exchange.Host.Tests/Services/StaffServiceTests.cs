using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage.Entities;
using Grpc.Core;
using Microsoft.AspNetCore.Identity;

namespace Exchange.Host.Tests.Services;

/// <summary>Staff accounts over gRPC: the operator's system creates, lists, disables and enables them; each change is audited; others may not.</summary>
public sealed class StaffServiceTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";

    private Contracts.V1.Staff.StaffClient Staff(string party) => new(Channel(party));

    [Fact]
    public async Task The_operator_adds_a_garage_staff_member_whose_one_time_password_signs_in_then_disables_and_enables_them_each_audited()
    {
        var admin = Staff("admin");

        var added = await admin.AddStaffAsync(new AddStaffRequest { PartyId = Garage, SignInName = "sato.hanako", DisplayName = "佐藤 花子", Role = StaffRole.Member }, cancellationToken: Ct);
        var disabled = await admin.DisableStaffAsync(new StaffMemberRequest { StaffId = added.Member.StaffId }, cancellationToken: Ct);
        var listed = await admin.ListStaffAsync(new ListStaffRequest { PartyId = Garage }, cancellationToken: Ct);
        var enabled = await admin.EnableStaffAsync(new StaffMemberRequest { StaffId = added.Member.StaffId }, cancellationToken: Ct);

        Assert.StartsWith("stf_", added.Member.StaffId, StringComparison.Ordinal);
        Assert.Equal((Garage, "sato.hanako", "佐藤 花子", StaffRole.Member, true, false), (added.Member.PartyId, added.Member.SignInName, added.Member.DisplayName, added.Member.Role, added.Member.Enabled, added.Member.SecondFactor));
        Assert.True(await PasswordSignsInAsync(added.Member.StaffId, added.OneTimePassword));
        Assert.False(disabled.Enabled);
        Assert.Equal([(added.Member.StaffId, false)], listed.Members.Select(m => (m.StaffId, m.Enabled)));
        Assert.True(enabled.Enabled);
        var audit = await new HubAudit.HubAuditClient(Channel("admin")).ListEventsAsync(new ListAuditEventsRequest { Subject = added.Member.StaffId }, cancellationToken: Ct);
        Assert.Equal(["staff.added", "staff.disabled", "staff.enabled"], audit.Events.Select(e => e.Action).Reverse());
        Assert.All(audit.Events, e => Assert.Equal(("admin", ""), (e.Actor, e.StaffId)));
        Assert.DoesNotContain(audit.Events, e => e.Details.Contains("佐藤", StringComparison.Ordinal) || e.Details.Contains("sato", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partys_system_without_an_administrators_staff_token_manages_no_staff()
    {
        var refused = await Refusals.FailsAsync(() => Staff(Garage).AddStaffAsync(new AddStaffRequest { PartyId = Garage, SignInName = "intruder", DisplayName = "x", Role = StaffRole.PartyAdministrator }, cancellationToken: Ct).ResponseAsync);
        var listing = await Refusals.FailsAsync(() => Staff(Garage).ListStaffAsync(new ListStaffRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (refused.StatusCode, listing.StatusCode));
        Assert.Contains("rule staff.manage", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab", "佐藤", StaffRole.Member, "sign_in_name")]
    [InlineData("sato hanako", "佐藤", StaffRole.Member, "sign_in_name")]
    [InlineData("sato", "", StaffRole.Member, "display_name")]
    [InlineData("sato", "佐藤\u0007", StaffRole.Member, "display_name")]
    [InlineData("sato", "佐藤", StaffRole.Unspecified, "role")]
    public async Task A_malformed_account_is_refused_as_invalid_and_nothing_is_stored(string signInName, string displayName, StaffRole role, string field)
    {
        var refused = await Refusals.FailsAsync(() => Staff("admin").AddStaffAsync(new AddStaffRequest { PartyId = Garage, SignInName = signInName, DisplayName = displayName, Role = role }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(field, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Staff("admin").ListStaffAsync(new ListStaffRequest { PartyId = Garage }, cancellationToken: Ct)).Members);
    }

    private async Task<bool> PasswordSignsInAsync(string staffId, string password)
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffAccount>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(staffId))!, password);
    }
}
