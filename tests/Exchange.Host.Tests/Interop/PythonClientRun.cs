using System.Text.Json;
using Grpc.Core;
using Xunit.Sdk;

namespace Exchange.Host.Tests.Interop;

/// <summary>One run of an interop script: the case's JSON result and everything python printed.</summary>
internal sealed class PythonClientRun
{
    private PythonClientRun(string script, string testCase, JsonElement result, JsonElement versions, string stdout, string stderr)
    {
        Script = script;
        Case = testCase;
        Result = result;
        Versions = versions;
        Stdout = stdout;
        Stderr = stderr;
    }

    public string Script { get; }

    public string Case { get; }

    /// <summary>What the case reported: always "code" and "code_number", then case-specific fields.</summary>
    public JsonElement Result { get; }

    /// <summary>The python, grpc and protobuf versions the script ran on.</summary>
    public JsonElement Versions { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    /// <summary>The status the call ended with, as grpcio reported it.</summary>
    public StatusCode Code => (StatusCode)Result.GetProperty("code_number").GetInt32();

    /// <summary>The status message grpcio reported, or null when the call succeeded.</summary>
    public string? Details => Result.TryGetProperty("details", out var details) ? details.GetString() : null;

    /// <summary>Runs <paramref name="script"/> (interop_client.py unless named); fails the test when the script itself fails or prints no result.</summary>
    public static async Task<PythonClientRun> StartAsync(string testCase, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, string script = "interop_client.py")
    {
        var start = PythonGrpc.StartInfo(script, ["--case", testCase, .. arguments]);
        var (exitCode, stdout, stderr) = await PythonGrpc.RunAsync(start, timeout, cancellationToken);
        PythonGrpc.FailIfModuleMissing(exitCode, stderr);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (exitCode != 0 || line is null || !line.StartsWith('{'))
        {
            Assert.Fail($"{script} --case {testCase} failed (exit code {exitCode}).\n--- python stdout ---\n{stdout}\n--- python stderr ---\n{stderr}");
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement.Clone();
        var run = new PythonClientRun(script, testCase, root.GetProperty("result"), root.GetProperty("versions"), stdout, stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"{script} --case {testCase} on {run.Versions}: {run.Result}");
        if (stderr.Length > 0)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"python stderr:\n{stderr}");
        }

        return run;
    }

    /// <summary>Runs <paramref name="assertions"/> on the result; a failure carries python's whole output.</summary>
    public void Verify(Action<JsonElement> assertions)
    {
        try
        {
            assertions(Result);
        }
        catch (Exception error) when (error is IAssertionException)
        {
            throw new XunitException($"{error.Message}\n{Describe()}", error);
        }
    }

    /// <summary>Asserts the call's status code, showing python's whole output when it differs.</summary>
    public void AssertCode(StatusCode expected) =>
        Assert.True(Code == expected, $"expected {expected}, grpcio reported {Code}.\n{Describe()}");

    public string Describe() =>
        $"--- {Script} --case {Case} on {Versions} ---\nresult: {Result}\n--- python stderr ---\n{Stderr}";
}
