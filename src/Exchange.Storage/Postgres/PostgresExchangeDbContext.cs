using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Exchange.Storage.Postgres;

/// <summary>The hub's database on PostgreSQL, with its own migrations (<c>Migrations/Postgres</c>).</summary>
internal sealed class PostgresExchangeDbContext(DbContextOptions<PostgresExchangeDbContext> options) : ExchangeDbContext(options)
{
    /// <summary>The options the hub uses on <paramref name="dataSource"/>: Npgsql's pool and its automatic statement preparation.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource).UseSnakeCaseNamingConvention();

    /// <summary>
    /// The data source for <paramref name="connectionString"/>: Npgsql keeps the connections and
    /// prepares the statements used most on each (unless the connection string says otherwise).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        return builder.Build();
    }

    public override bool LogIndexedBySubject => true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // The lookup by person here: PostgreSQL writes index pages at checkpoints, not with each commit as
        // SQLite does, and B-tree deduplication keeps a person's ID once for their entries, where a table
        // of (person, sequence) would store it in its rows and its index. provision_log_subjects stays empty;
        // the indexer only moves its watermark.
        modelBuilder.Entity<ProvisionEntryRow>().HasIndex(p => p.SubjectId).HasMethod("hash").HasFilter("subject_id IS NOT NULL");
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresExchangeDbContext</c> build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresExchangeDbContext>
{
    public PostgresExchangeDbContext CreateDbContext(string[] args)
    {
        // Never opened: adding a migration needs the model only.
        var dataSource = PostgresExchangeDbContext.CreateDataSource("Host=localhost;Database=exchange_design_time");
        return new((DbContextOptions<PostgresExchangeDbContext>)PostgresExchangeDbContext.Configure(new DbContextOptionsBuilder<PostgresExchangeDbContext>(), dataSource).Options);
    }
}
