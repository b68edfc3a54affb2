using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Tests.Configuration;

public sealed class SubjectsSettingsTests
{
    [Theory]
    [InlineData("Exchange:Subjects:ReminderAfter", "00:00:30", "Exchange:Subjects:ReminderAfter must be 00:01:00 to 365.00:00:00 (it is 00:00:30).")]
    [InlineData("Exchange:Subjects:ReminderAfter", "400.00:00:00", "Exchange:Subjects:ReminderAfter must be 00:01:00 to 365.00:00:00 (it is 400.00:00:00).")]
    [InlineData("Exchange:Subjects:ReminderCheckInterval", "00:00:00", "Exchange:Subjects:ReminderCheckInterval must be 00:00:01 to 1.00:00:00 (it is 00:00:00).")]
    public async Task A_reminder_setting_out_of_range_is_refused_at_start(string key, string value, string failure)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(settings: new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(failure, Assert.Single(error.Failures));
    }
}
