using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage;

/// <summary>Wires ASP.NET Core Identity's own EF Core store to the hub's database.</summary>
public static class StaffStoreExtensions
{
    /// <summary>Stores staff accounts in the hub's database, on whichever provider it uses.</summary>
    public static IdentityBuilder AddExchangeStaffStore(this IdentityBuilder builder)
    {
        builder.Services.AddScoped<IUserStore<StaffAccount>>(sp =>
            new UserOnlyStore<StaffAccount, ExchangeDbContext>(sp.GetRequiredService<ExchangeDbContext>(), sp.GetService<IdentityErrorDescriber>()));
        return builder;
    }
}
