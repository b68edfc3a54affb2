using System.Collections.Concurrent;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Collects the hub's warning and error logs (or down to <paramref name="minimum"/>) so a test fails on errors it did not expect.</summary>
public sealed class CapturedLogs(LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, EventId Event, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, EventId Event, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Errors => _entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}[{e.Event.Id}]: {e.Message}");

    public LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue((logLevel, category, eventId, formatter(state, exception) + (exception is null ? "" : $" {exception}")));
            }
        }
    }
}
