namespace Exchange.Storage;

/// <summary>Which database the storage uses, and where.</summary>
/// <param name="Provider">The database provider.</param>
/// <param name="DataDirectory">The folder of the SQLite file <c>exchange.db</c> (SQLite only).</param>
/// <param name="ConnectionString">The PostgreSQL connection string (PostgreSQL only).</param>
public sealed record StorageSettings(DatabaseProvider Provider, string DataDirectory, string? ConnectionString = null)
{
    /// <summary>What is wrong with these settings, as configuration keys under <c>Exchange:Database</c> name it; empty when nothing is.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Provider))
        {
            problems.Add("Exchange:Database:Provider must be Sqlite or Postgres.");
        }
        else if (Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
            {
                problems.Add("Exchange:Database:ConnectionString must be set when Exchange:Database:Provider is Postgres.");
            }
            else
            {
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
                }
                catch (ArgumentException e)
                {
                    problems.Add($"Exchange:Database:ConnectionString is not a valid PostgreSQL connection string: {e.Message}");
                }
            }
        }
        else if (!string.IsNullOrEmpty(ConnectionString))
        {
            problems.Add("Exchange:Database:ConnectionString is for Postgres only: SQLite keeps exchange.db in Exchange:DataDirectory.");
        }

        return problems;
    }
}
