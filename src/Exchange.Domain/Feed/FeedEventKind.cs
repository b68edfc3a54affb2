namespace Exchange.Domain.Feed;

/// <summary>What a stored feed event reports (its stored value is stable).</summary>
public enum FeedEventKind
{
    /// <summary>A record the recipient received was corrected.</summary>
    RecordCorrected = 1,

    /// <summary>A record the recipient received was deleted.</summary>
    RecordDeleted = 2,

    /// <summary>A vendor changed one of the recipient garage's records.</summary>
    RecordChangedByVendor = 3,

    /// <summary>A declaration version was published (broadcast).</summary>
    DeclarationPublished = 4,

    /// <summary>One of the recipient's certificates nears its expiry.</summary>
    CertificateExpiring = 5,

    /// <summary>A vehicle of the recipient garage is affected by a recall campaign.</summary>
    RecallNotice = 6,

    /// <summary>A person asked that a record the recipient received stop being used or provided for some purposes.</summary>
    ProcessingStopped = 7,

    /// <summary>A correction, deletion or cessation sent earlier is still not acknowledged.</summary>
    PropagationReminder = 8,
}
