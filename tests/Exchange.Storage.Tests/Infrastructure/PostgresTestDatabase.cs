using Npgsql;

namespace Exchange.Storage.Tests.Infrastructure;

/// <summary>
/// A database of its own on the PostgreSQL server <see cref="Variable"/> names, created for one test
/// (or one class's hub) and dropped afterwards. Without the variable, the test is skipped.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    /// <summary>The environment variable holding the test server's connection string (any database; the user may create databases).</summary>
    public const string Variable = "EXCHANGE_TEST_POSTGRES";

    /// <summary>Why the PostgreSQL lane is skipped when <see cref="Variable"/> is not set.</summary>
    public const string SkipReason = Variable + " is not set: the PostgreSQL lane runs in CI (.ci/run) and with `make test-postgres`, which start a throwaway server";

    private readonly string _server;

    public PostgresTestDatabase(string name)
    {
        _server = Server ?? throw new InvalidOperationException(SkipReason);
        var clean = new string(name.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        Name = $"exchange_{clean[..Math.Min(clean.Length, 20)]}_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE {Name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;
    }

    /// <summary>The test server's connection string, or null when the lane is not set up.</summary>
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server ? server : null;

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Skips the running test when no PostgreSQL server is set up.</summary>
    public static void SkipUnlessAvailable()
    {
        if (Server is null)
        {
            Assert.Skip(SkipReason);
        }
    }

    public void Dispose() => Execute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
