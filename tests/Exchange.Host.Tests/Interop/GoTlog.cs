using System.Diagnostics;
using System.Text.Json;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// Runs <c>Interop/go/tlogcheck.go</c>, built once per test run in GOPATH mode against Debian's
/// <c>golang-golang-x-mod-dev</c> (<c>sumdb/note</c>, <c>sumdb/tlog</c>). Go missing fails the
/// test, never skips it: CI installs it.
/// </summary>
internal static class GoTlog
{
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    /// <summary>The checker's verdict on each check of <paramref name="request"/>, in order: "ok" or "fail: …".</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(object request)
    {
        var start = new ProcessStartInfo(await Binary.Value) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(request));
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"tlogcheck exited {process.ExitCode}: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<string> BuildAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "exchange-tlogcheck-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var output = Path.Combine(directory, "tlogcheck");
        var start = new ProcessStartInfo("go") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in new[] { "build", "-o", output, Path.Combine(AppContext.BaseDirectory, "Interop", "go", "tlogcheck.go") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GOCACHE"] = Path.Combine(directory, "cache");
        start.Environment["GOFLAGS"] = "";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Go is missing: apt-get install golang-go golang-golang-x-mod-dev (.ci/run installs them).", e);
        }

        using (process)
        {
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? output : throw new InvalidOperationException($"go build of tlogcheck.go failed (is golang-golang-x-mod-dev installed?): {stderr}");
        }
    }
}
