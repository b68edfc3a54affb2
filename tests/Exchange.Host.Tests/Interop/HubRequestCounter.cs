using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Exchange.Host.Tests.Interop;

/// <summary>Notes every request that reaches the hub's pipeline, and how long each took.</summary>
internal sealed class HubRequestCounter : IStartupFilter
{
    private readonly ConcurrentQueue<(string Path, TimeSpan Duration)> _completed = new();
    private int _requests;

    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>How long the request for <paramref name="path"/> ran, once it has finished (null until then).</summary>
    public async Task<TimeSpan?> WaitForCompletionAsync(string path, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var done = _completed.FirstOrDefault(c => c.Path == path);
            if (done.Path is not null)
            {
                return done.Duration;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return null;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, RequestDelegate inner) =>
        {
            Interlocked.Increment(ref _requests);
            var started = Stopwatch.StartNew();
            try
            {
                await inner(context);
            }
            finally
            {
                _completed.Enqueue((context.Request.Path.Value ?? "", started.Elapsed));
            }
        });
        next(app);
    };
}
