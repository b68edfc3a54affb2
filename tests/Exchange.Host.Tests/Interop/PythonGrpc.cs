using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Exchange.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// Runs the interop scripts in Interop/python on Debian's gRPC for Python (python3-grpcio), an
/// implementation nobody here wrote. The tests fail (never skip) when it is missing: CI installs it.
/// </summary>
internal static class PythonGrpc
{
    /// <summary>Debian's interpreter: python3-grpcio is installed for it, not for a pyenv python on PATH.</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>The exit code of a script that could not import grpc (see interop_common.py).</summary>
    public const int MissingModuleExitCode = 3;

    private const string InstallHint = "The interop tests need Debian's python3 with gRPC: apt-get install python3 python3-grpcio python3-protobuf";

    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    /// <summary>Fails the test with a clear message when the interpreter or the script is missing.</summary>
    public static ProcessStartInfo StartInfo(string script, IEnumerable<string> arguments)
    {
        if (!File.Exists(Interpreter))
        {
            Assert.Fail($"{Interpreter} was not found. {InstallHint}");
        }

        var path = Path.Combine(ScriptDirectory, script);
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} was not found; the test project copies Interop/python/*.py to its output directory.");
        }

        var start = new ProcessStartInfo(Interpreter)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        // -u: unbuffered output (the server's events arrive as they happen); -B: no __pycache__ in
        // the output directory; -s: Debian's packages, not whatever a user pip-installed.
        foreach (var argument in (string[])["-u", "-B", "-s", path, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        // A pyenv or virtualenv setting of the developer's shell must not redirect Debian's python.
        start.Environment.Remove("PYTHONPATH");
        start.Environment.Remove("PYTHONHOME");
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        return start;
    }

    /// <summary>Fails the test with the install hint when the script reported that grpc is missing.</summary>
    public static void FailIfModuleMissing(int exitCode, string stderr)
    {
        if (exitCode == MissingModuleExitCode)
        {
            Assert.Fail($"{Interpreter} cannot import grpc. {InstallHint}\n--- python stderr ---\n{stderr}");
        }
    }

    /// <summary>
    /// Writes the diagnostics contract as a FileDescriptorSet (dependencies first), from which the
    /// scripts build their message classes: Debian's protoc is too old to generate them.
    /// </summary>
    public static string WriteDescriptorSet(string directory) => WriteDescriptorSet(directory, "diagnostics.pb", DiagnosticsReflection.Descriptor);

    /// <summary>Writes <paramref name="files"/> (with the diagnostics contract the scripts always load) as a FileDescriptorSet named <paramref name="name"/>.</summary>
    public static string WriteDescriptorSet(string directory, string name, params FileDescriptor[] files)
    {
        var set = new FileDescriptorSet();
        HashSet<string> added = [];
        foreach (var file in files.Prepend(DiagnosticsReflection.Descriptor))
        {
            AddWithDependencies(file, set, added);
        }

        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, set.ToByteArray());
        return path;
    }

    /// <summary>Writes a certificate (and its private key, when it has one) as PEM files; returns (certificate, key) paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        if (certificate.HasPrivateKey)
        {
            using var key = certificate.GetECDsaPrivateKey()!;
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        return (certificatePath, keyPath);
    }

    /// <summary>Starts <paramref name="start"/> and returns its exit code and output, killing it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            var script = Path.GetFileName(start.ArgumentList.FirstOrDefault(a => a.EndsWith(".py", StringComparison.Ordinal)));
            Assert.Fail($"{script} did not finish within {timeout.TotalSeconds} s.\n--- python stdout ---\n{await stdout}\n--- python stderr ---\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static void AddWithDependencies(FileDescriptor file, FileDescriptorSet set, HashSet<string> added)
    {
        if (!added.Add(file.Name))
        {
            return;
        }

        foreach (var dependency in file.Dependencies)
        {
            AddWithDependencies(dependency, set, added);
        }

        set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
    }
}
