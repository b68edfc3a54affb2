using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Sdk;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// interop_server.py running as a child process: a gRPC for Python server of exchange.v1.Diagnostics
/// on 127.0.0.1, reporting what it sees as JSON lines on stdout. Stops when disposed.
/// </summary>
internal sealed class PythonServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PythonServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The port the server bound on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The events the server reported so far ("call", "ended"; see interop_server.py).</summary>
    public IReadOnlyList<JsonElement> Events => [.. _stdout.Select(ParseEvent).OfType<JsonElement>()];

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the server with the given PEM files and waits until it listens; fails the test if it cannot.</summary>
    public static async Task<PythonServerProcess> StartAsync(string caPath, string certificatePath, string keyPath, string descriptorsPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = PythonGrpc.StartInfo("interop_server.py", ["--ca", caPath, "--cert", certificatePath, "--key", keyPath, "--descriptors", descriptorsPath]);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new PythonServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnStderr(e.Data);
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("interop_server.py exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            server.Port = await server._listening.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException)
        {
            int? exitCode = null;
            if (process.HasExited)
            {
                // Without a timeout this also waits until the output has been read to its end.
                process.WaitForExit();
                exitCode = process.ExitCode;
            }

            await server.DisposeAsync();
            PythonGrpc.FailIfModuleMissing(exitCode ?? 0, server.Stderr);
            Assert.Fail($"interop_server.py did not start listening ({error.Message}; exit code {exitCode?.ToString() ?? "none, killed"}).\n{server.Describe()}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"interop_server.py: {server._stdout.FirstOrDefault()}");
        return server;
    }

    /// <summary>Waits until the server reports an event matching <paramref name="match"/>; null if it does not within <paramref name="timeout"/>.</summary>
    public async Task<JsonElement?> WaitForEventAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            foreach (var e in Events)
            {
                if (match(e))
                {
                    return e;
                }
            }

            if (waited.Elapsed > timeout)
            {
                return null;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Runs a test body; any failure (an assertion, an unexpected RpcException) carries the server's output.</summary>
    public async Task VerifyAsync(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new XunitException($"{error.GetType().Name}: {error.Message}\n{Describe()}", error);
        }
    }

    public string Describe() =>
        $"--- interop_server.py stdout ---\n{string.Join('\n', _stdout)}\n--- interop_server.py stderr ---\n{Stderr}";

    /// <summary>Closes the server's stdin (it stops by itself), killing it if it does not exit promptly.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process never started.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnStdout(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        _stdout.Enqueue(line);
        if (ParseEvent(line) is { } e && e.GetProperty("event").GetString() == "listening")
        {
            _listening.TrySetResult(e.GetProperty("port").GetInt32());
        }
    }

    private static JsonElement? ParseEvent(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("event", out _) ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }
    }
}
