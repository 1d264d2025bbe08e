using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace IoTRuleEmu.AwsApi.Tests.Infrastructure;

/// <summary>The outcome of a CLI or python run.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>stdout parsed as JSON (the CLI's <c>--output json</c>).</summary>
    public JsonElement Json
    {
        get
        {
            using var doc = JsonDocument.Parse(Stdout);
            return doc.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs external tools with a deadline; the environment carries dummy credentials and no user AWS config.</summary>
public static class Processes
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <c>aws --endpoint-url ENDPOINT --output json ARGS…</c> (aws-cli v1).</summary>
    public static Task<ProcessResult> AwsAsync(string endpoint, params string[] args) =>
        AwsInRegionAsync(endpoint, ApiEmulator.Region, args);

    public static Task<ProcessResult> AwsInRegionAsync(string endpoint, string region, params string[] args) =>
        RunAsync("aws", ["--endpoint-url", endpoint, "--output", "json", "--region", region, .. args], null, null);

    /// <summary>Runs <c>python3 -c SCRIPT</c> with <c>ENDPOINT</c> set.</summary>
    public static Task<ProcessResult> PythonAsync(string endpoint, string script) =>
        RunAsync("python3", ["-c", script], new Dictionary<string, string> { ["ENDPOINT"] = endpoint }, null);

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env, string? workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = ApiEmulator.Region;
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_RETRY_MODE"] = "standard";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {s_timeout.TotalSeconds} s");
        }
        return new ProcessResult(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>A free TCP port on loopback (for moto_server).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
