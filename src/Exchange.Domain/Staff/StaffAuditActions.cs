namespace Exchange.Domain.Staff;

/// <summary>The audit actions of staff management and sign-in; the names are stable.</summary>
public static class StaffAuditActions
{
    /// <summary>A staff account was created; subject the staff ID.</summary>
    public const string Added = "staff.added";

    /// <summary>A staff account was disabled: its sessions end at their next request.</summary>
    public const string Disabled = "staff.disabled";

    /// <summary>A disabled staff account was enabled again.</summary>
    public const string Enabled = "staff.enabled";

    /// <summary>A person's second factor was reset: they enrol again at their next sign-in.</summary>
    public const string SecondFactorReset = "staff.2fa-reset";

    /// <summary>A person enrolled an authenticator app.</summary>
    public const string SecondFactorEnrolled = "staff.2fa-enrolled";

    /// <summary>A person signed in to the console.</summary>
    public const string SignedIn = "staff.signed-in";
}
