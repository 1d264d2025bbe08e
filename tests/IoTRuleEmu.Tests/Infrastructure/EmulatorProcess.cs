using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Infrastructure;

/// <summary>
/// The built emulator as a separate process: <c>dotnet IoTRuleEmu.dll …</c> from this test's output folder (the test
/// project references the host project, so it is built and copied next to the tests), or the executable named by
/// <c>IOTRULEEMU_TEST_EXECUTABLE</c>: <c>.ci/run</c> runs the process-level tests again against the native (AOT)
/// build that the container image ships.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<JsonElement> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _echo = true;

    private EmulatorProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The native build under test (<c>IOTRULEEMU_TEST_EXECUTABLE</c>), or null for the host's assembly.</summary>
    public static string? NativeExecutable
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("IOTRULEEMU_TEST_EXECUTABLE");
            if (string.IsNullOrEmpty(path))
            {
                return null;
            }
            Assert.True(File.Exists(path), $"IOTRULEEMU_TEST_EXECUTABLE names no file: {path}");
            return Path.GetFullPath(path);
        }
    }

    /// <summary>The host's entry assembly next to the test assembly.</summary>
    public static string HostDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "IoTRuleEmu.dll");
            Assert.True(File.Exists(path), $"The emulator was not built next to the tests: {path}");
            return path;
        }
    }

    public int MqttPort { get; private set; }

    public int HttpPort { get; private set; }

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public IReadOnlyList<string> StandardError => [.. _stderr];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the emulator with <paramref name="args"/> (add <c>--log-format json</c> to read its ports) in <paramref name="workingDirectory"/>.</summary>
    public static EmulatorProcess Start(ITestOutputHelper output, string workingDirectory, params string[] args) =>
        Start(output, workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>The same, with extra environment variables for the emulator (e.g. <c>TMPDIR</c>).</summary>
    public static EmulatorProcess Start(ITestOutputHelper output, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = CreateStartInfo(workingDirectory);
        info.RedirectStandardInput = true;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // No stray configuration from the test runner's environment.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("IOTRULEEMU_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var emulator = new EmulatorProcess(process, output);
        process.OutputDataReceived += (_, e) => emulator.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.OnStderr(e.Data);
        process.Exited += (_, _) => emulator._started.TrySetException(new InvalidOperationException(
            $"The emulator exited with code {process.ExitCode} before it started:\n{string.Join('\n', emulator.StandardError)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return emulator;
    }

    /// <summary>Waits for the "started" log event (JSON log format) and reads the bound ports from it.</summary>
    public async Task WaitStartedAsync()
    {
        var started = await _started.Task.WaitAsync(StartTimeout);
        MqttPort = started.GetProperty("MqttPort").GetInt32();
        HttpPort = started.GetProperty("HttpPort").GetInt32();
    }

    /// <summary>Waits for the process to exit on its own.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Asks for a graceful shutdown (SIGTERM, like <c>docker stop</c>) and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        return await WaitForExitAsync(timeout);
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            return;
        }
        _stdout.Enqueue(line);
        Echo(line);
        if (line.StartsWith('{') && line.Contains("\"MqttPort\"", StringComparison.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                _started.TrySetResult(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
            }
        }
    }

    private void OnStderr(string? line)
    {
        if (line is not null)
        {
            _stderr.Enqueue(line);
            Echo("stderr: " + line);
        }
    }

    private void Echo(string line)
    {
        if (!_echo)
        {
            return;
        }
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            _echo = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _echo = false;
        _process.Dispose();
    }

    private static ProcessStartInfo CreateStartInfo(string workingDirectory)
    {
        var native = NativeExecutable;
        var info = new ProcessStartInfo(native ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (native is null)
        {
            info.ArgumentList.Add(HostDll);
        }
        return info;
    }

    /// <summary>Runs <c>dotnet IoTRuleEmu.dll args</c> to completion (for <c>eval</c>): exit code, stdout bytes, stderr text.</summary>
    public static async Task<(int ExitCode, byte[] Stdout, string Stderr, TimeSpan Elapsed)> RunToEndAsync(string workingDirectory, params string[] args)
    {
        var info = CreateStartInfo(workingDirectory);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr, stopwatch.Elapsed);
    }
}

/// <summary>Waits on files another process appends to, by re-reading them until a condition holds or a deadline passes.</summary>
public static class FileWatch
{
    public static async Task<IReadOnlyList<JsonElement>> WaitForJsonLinesAsync(
        string path, Func<IReadOnlyList<JsonElement>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<JsonElement> lines = [];
        while (true)
        {
            lines = ReadJsonLines(path);
            if (done(lines))
            {
                return lines;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{path} did not reach the expected state within {timeout}; it has {lines.Count} lines:\n{string.Join('\n', lines)}");
            }
            await Task.Delay(50); // observation loop with a deadline: another process writes the file
        }
    }

    public static IReadOnlyList<JsonElement> ReadJsonLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        string[] text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
        {
            text = reader.ReadToEnd().Split('\n');
        }
        var result = new List<JsonElement>();
        foreach (var line in text)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                result.Add(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
                // A line still being written; read again next time.
                break;
            }
        }
        return result;
    }
}
