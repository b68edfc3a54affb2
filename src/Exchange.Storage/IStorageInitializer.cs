using Exchange.Domain.Parties;

namespace Exchange.Storage;

/// <summary>What the host runs on start, before the hub serves: the schema, and what the hub ships with.</summary>
public interface IStorageInitializer
{
    /// <summary>Creates or migrates the database and seeds the default grants on an empty one.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Registers the parties that are not registered yet (the development parties, the bootstrap administrator).</summary>
    Task EnsurePartiesAsync(IEnumerable<Party> parties, CancellationToken cancellationToken);
}
