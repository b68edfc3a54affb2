namespace Exchange.Host.Tests.Infrastructure;

/// <summary>The repository's root folder, found above the test assembly, for tests of shipped files (docs/, deploy/).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Exchange.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Exchange.sln not found above " + AppContext.BaseDirectory);
    }
}
