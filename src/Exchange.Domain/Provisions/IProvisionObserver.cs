namespace Exchange.Domain.Provisions;

/// <summary>
/// Told of every provision-log fact as storage takes it, on the call's own flow: the host counts and
/// logs the decisions they record. Must be quick and must not throw.
/// </summary>
public interface IProvisionObserver
{
    /// <summary>Facts about to be chained: by the group-commit writer when queued, by a unit of work when appended.</summary>
    void Recording(IReadOnlyList<ProvisionFact> facts);
}
