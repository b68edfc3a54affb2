namespace Exchange.Cli;

/// <summary>What a run of the tool sees of the world: its output streams, environment variables and working folder.</summary>
/// <param name="Out">Standard output: results.</param>
/// <param name="Error">Standard error: errors and hints.</param>
/// <param name="GetVariable">Reads an environment variable.</param>
/// <param name="WorkingDirectory">Relative paths are resolved against this folder.</param>
/// <param name="Time">The clock call deadlines are set by.</param>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> GetVariable, string WorkingDirectory, TimeProvider Time)
{
    /// <summary>The process's own console, environment, current directory and clock.</summary>
    public static CliEnvironment FromProcess() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, Environment.CurrentDirectory, TimeProvider.System);

    /// <summary>An absolute path for <paramref name="path"/>, relative ones taken from <see cref="WorkingDirectory"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, WorkingDirectory);
}
