namespace Exchange.Storage;

/// <summary>The database the hub keeps its data and provision log in.</summary>
public enum DatabaseProvider
{
    /// <summary>One SQLite file in the data folder: embedded, no set-up; the default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: the production store, which several hub instances can share.</summary>
    Postgres,
}
