namespace Exchange.Domain.Parties;

/// <summary>Operations a garage can authorise a vendor to perform on its behalf.</summary>
public static class VendorOperations
{
    /// <summary>Write (create or replace) the garage's records.</summary>
    public const string Write = "write";

    /// <summary>Read the garage's records for its own after-sales service.</summary>
    public const string Read = "read";

    /// <summary>Every operation a vendor can be authorised for.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Write, Read };
}

/// <summary>A garage's recorded authorisation of a vendor to act on its behalf.</summary>
/// <param name="GarageId">The authorising garage.</param>
/// <param name="VendorId">The authorised vendor.</param>
/// <param name="ValidFrom">Start of validity.</param>
/// <param name="ValidUntil">End of validity (exclusive), or null for open-ended.</param>
/// <param name="Operations">The operations it covers.</param>
public sealed record VendorAuthorisation(string GarageId, string VendorId, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, IReadOnlySet<string> Operations)
{
    /// <summary>True when it covers <paramref name="operation"/> at <paramref name="at"/>.</summary>
    public bool Covers(string operation, DateTimeOffset at) =>
        Operations.Contains(operation) && at >= ValidFrom && (ValidUntil is null || at < ValidUntil);
}

/// <summary>The recorded vendor authorisations; storage implements it.</summary>
public interface IVendorAuthorisations
{
    /// <summary>Every authorisation the garage has given the vendor (current or not).</summary>
    Task<IReadOnlyList<VendorAuthorisation>> FindAsync(string garageId, string vendorId, CancellationToken cancellationToken);
}
