using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>What entries state besides their time, person and call, stored once on a real database.</summary>
public abstract class ProvisionTermsTests(DatabaseProvider provider) : StorageTest(provider)
{
    [Fact]
    public async Task Entries_stating_the_same_terms_share_one_row_and_read_back_whole()
    {
        await AppendAsync(Fact("sub-a", "marketing"), Fact("sub-b", "marketing"), Fact(null, "marketing"));
        await Storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync([Fact("sub-c", "marketing"), Fact("sub-c", "recall")], Ct);

        Assert.Equal(2, await TermsRowsAsync());
        await AssertChainIntactAsync(5);
    }

    [Fact]
    public async Task Terms_added_by_a_transaction_that_rolled_back_are_added_again()
    {
        var rolledBack = await Assert.ThrowsAsync<InvalidOperationException>(() => AppendAsync(throwAfter: true, Fact("sub-a", "recall")));
        Assert.Equal("rolled back by the test", rolledBack.Message);

        await AppendAsync(Fact("sub-a", "recall"));
        await Storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync([Fact("sub-b", "recall")], Ct);

        Assert.Equal(1, await TermsRowsAsync());
        await AssertChainIntactAsync(2);
    }

    private Task AppendAsync(params ProvisionFact[] facts) => AppendAsync(false, facts);

    private async Task AppendAsync(bool throwAfter, params ProvisionFact[] facts)
    {
        using var scope = Storage.Services.CreateScope();
        var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(
            async ct =>
            {
                await log.AppendAsync(facts, ct);
                return throwAfter ? throw new InvalidOperationException("rolled back by the test") : 0;
            },
            Ct);
    }

    private async Task<int> TermsRowsAsync()
    {
        using var scope = Storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionTerms.CountAsync(Ct);
    }

    private async Task AssertChainIntactAsync(long entries)
    {
        using var scope = Storage.Services.CreateScope();
        var chain = await ProvisionChain.VerifyAsync(scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ReadAllAsync(Ct), [], null!, Ct);
        Assert.True(chain.Intact, chain.Problem);
        Assert.Equal(entries, chain.EntriesChecked);
    }

    private static ProvisionFact Fact(string? subject, string purpose) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, subject, ["contact.name", "contact.phone"], purpose, 1, new string('a', 64), "call-1", ProvisionOutcome.Provided, null);
}

/// <summary>Terms on a real SQLite file.</summary>
public sealed class ProvisionTermsOnSqliteTests() : ProvisionTermsTests(DatabaseProvider.Sqlite);

/// <summary>Terms on a real PostgreSQL database.</summary>
public sealed class ProvisionTermsOnPostgresTests() : ProvisionTermsTests(DatabaseProvider.Postgres);
