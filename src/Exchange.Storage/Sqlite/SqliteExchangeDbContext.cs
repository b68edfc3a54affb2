using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Exchange.Storage.Sqlite;

/// <summary>The hub's database on SQLite, with its own migrations (<c>Migrations/Sqlite</c>).</summary>
internal sealed class SqliteExchangeDbContext(DbContextOptions<SqliteExchangeDbContext> options) : ExchangeDbContext(options)
{
    /// <summary>The options the hub uses for the SQLite file <paramref name="path"/>.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string path) =>
        options.UseSqlite(ConnectionString(path))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new SqliteConnectionSettings());

    /// <summary>The connection string of the SQLite file <paramref name="path"/>, which names its connection pool.</summary>
    public static string ConnectionString(string path) => $"Data Source={path};Pooling=True;Default Timeout=30";
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteExchangeDbContext</c> build the model without the host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteExchangeDbContext>
{
    public SqliteExchangeDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<SqliteExchangeDbContext>)SqliteExchangeDbContext.Configure(new DbContextOptionsBuilder<SqliteExchangeDbContext>(), "design-time.db").Options);
}
