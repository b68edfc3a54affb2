namespace Exchange.Domain.Declarations;

/// <summary>Purpose IDs of the joint use (共同利用する目的) and the implicit own-service purpose.</summary>
public static class Purposes
{
    /// <summary>Market research and statistical analysis; leaves the hub only as aggregates.</summary>
    public const string Statistics = "statistics";

    /// <summary>Tailored proposals, notices and advertising.</summary>
    public const string Marketing = "marketing";

    /// <summary>Planning and proposing new services to members or their customers.</summary>
    public const string ServicePlanning = "service-planning";

    /// <summary>Advice to a member on its business.</summary>
    public const string ManagementAdvice = "management-advice";

    /// <summary>Telling owners of recalled vehicles about the recall; cannot be opted out of.</summary>
    public const string Recall = "recall";

    /// <summary>
    /// The owning garage's own after-sales service: implicit (not a joint-use purpose), for its own
    /// records only.
    /// </summary>
    public const string AfterSales = "after-sales";
}
