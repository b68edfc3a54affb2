namespace Exchange.Host.Console;

/// <summary>The console's log events (2480-2499): staff IDs and party IDs only, never a person's name or sign-in name.</summary>
internal static partial class ConsoleLog
{
    [LoggerMessage(EventId = 2480, Level = LogLevel.Information, Message = "Operators' console on {Address}: HTTPS, staff sign-in, no client certificate")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2481, Level = LogLevel.Warning, Message = "First operator {StaffId} of {Party} created with the one-time password {Password}: sign in at the console and enrol a second factor")]
    public static partial void BootstrapOperatorCreated(ILogger logger, string staffId, string party, string password);

    [LoggerMessage(EventId = 2482, Level = LogLevel.Information, Message = "Staff {StaffId} of {Party} signed in to the console")]
    public static partial void SignedIn(ILogger logger, string staffId, string party);

    [LoggerMessage(EventId = 2483, Level = LogLevel.Warning, Message = "Console sign-in refused: {Reason}")]
    public static partial void SignInRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 2484, Level = LogLevel.Information, Message = "Console session of staff {StaffId} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string staffId, string reason);

    [LoggerMessage(EventId = 2485, Level = LogLevel.Information, Message = "{Action} {StaffId} of {Party} by staff {ActingStaffId} of {Actor}")]
    public static partial void StaffChanged(ILogger logger, string action, string staffId, string party, string actingStaffId, string actor);

    [LoggerMessage(EventId = 2486, Level = LogLevel.Warning, Message = "Staff {StaffId} locked out of the console after repeated failed sign-ins")]
    public static partial void LockedOut(ILogger logger, string staffId);
}
