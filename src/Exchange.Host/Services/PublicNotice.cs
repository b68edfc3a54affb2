using Exchange.Domain.Declarations;

namespace Exchange.Host.Services;

/// <summary>
/// The published versions as the public notice presents them at one moment: the version in force,
/// the versions under notice (published, not yet in force) and the past versions.
/// </summary>
internal sealed class PublicNotice
{
    public const string InForceState = "in-force";
    public const string UpcomingState = "upcoming";
    public const string PastState = "past";

    private PublicNotice(IReadOnlyList<DeclarationRecord> all, DateTimeOffset at)
    {
        All = all.OrderBy(v => v.Version).ToList();
        At = at;
        InForce = All.Where(v => v.EffectiveAt <= at).MaxBy(v => v.Version);
        Upcoming = All.Where(v => v.EffectiveAt > at).ToList();
        Past = All.Where(v => v.EffectiveAt <= at && v != InForce).OrderByDescending(v => v.Version).ToList();
    }

    /// <summary>When the notice is read.</summary>
    public DateTimeOffset At { get; }

    /// <summary>Every version, oldest first.</summary>
    public IReadOnlyList<DeclarationRecord> All { get; }

    /// <summary>The version in force, or null.</summary>
    public DeclarationRecord? InForce { get; }

    /// <summary>Published versions not yet in force, oldest first.</summary>
    public IReadOnlyList<DeclarationRecord> Upcoming { get; }

    /// <summary>Versions no longer in force, newest first.</summary>
    public IReadOnlyList<DeclarationRecord> Past { get; }

    public static PublicNotice Of(IReadOnlyList<DeclarationRecord> versions, DateTimeOffset at) => new(versions, at);

    /// <summary><see cref="InForceState"/>, <see cref="UpcomingState"/> or <see cref="PastState"/>.</summary>
    public string StateOf(DeclarationRecord version) =>
        version == InForce ? InForceState : version.EffectiveAt > At ? UpcomingState : PastState;

    /// <summary>When a version stopped being in force (the next version's effective time), or null while it is not past.</summary>
    public DateTimeOffset? EndOf(DeclarationRecord version) =>
        StateOf(version) == PastState ? All.Where(v => v.Version > version.Version && v.EffectiveAt <= At).Min(v => (DateTimeOffset?)v.EffectiveAt) : null;
}
