using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Exchange.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without the host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ExchangeDbContext>
{
    public ExchangeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ExchangeDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
