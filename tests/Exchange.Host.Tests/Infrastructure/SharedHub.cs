namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// One hub for all the tests of a class (xunit runs a class's tests one after another), for tests
/// that need no hub of their own: each test reads only what its own calls left.
/// </summary>
public sealed class SharedHub : IAsyncLifetime
{
    public TestHub Hub { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Hub = await TestHub.StartAsync();

    public async ValueTask DisposeAsync() => await Hub.DisposeAsync();
}
