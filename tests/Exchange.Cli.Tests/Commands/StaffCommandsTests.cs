using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class StaffCommandsTests : CliScenario
{
    [Fact]
    public async Task An_operator_adds_a_staff_member_lists_and_disables_them_and_a_garage_system_may_not()
    {
        var added = (await RunAsAsync("admin", "staff", "add", "sato.hanako", "--party", "garage-kaminoyama", "--name", "佐藤 花子")).Expect(0);
        var staffId = added.Field("staff id");
        var disabled = (await RunAsAsync("admin", "staff", "disable", staffId)).Expect(0);
        var listed = (await RunAsAsync("admin", "staff", "list", "--party", "garage-kaminoyama")).Expect(0);
        var refused = await RunAsAsync("garage-kaminoyama", "staff", "list");

        Assert.StartsWith("stf_", staffId, StringComparison.Ordinal);
        Assert.True(added.Field("one-time password").Length >= 12);
        Assert.Equal("no", disabled.Field("enabled"));
        Assert.Contains(staffId, listed.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("staff.manage", refused.Error, StringComparison.Ordinal);
    }
}
