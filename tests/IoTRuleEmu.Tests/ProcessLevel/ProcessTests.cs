using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Tests.Infrastructure;
using IoTRuleEmu.Tests.Patterns;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.ProcessLevel;

/// <summary>
/// The built executable end to end: <c>dotnet IoTRuleEmu.dll</c> with <c>--lambda-retry-delays 1,2</c>, messages
/// published with <c>mosquitto_pub</c>, results read from cloudtrail.jsonl and invocations.jsonl.
/// </summary>
public sealed class ProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("iotruleemu-process-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string MosquittoPub
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            {
                var path = Path.Combine(dir, "mosquitto_pub");
                if (File.Exists(path))
                {
                    return path;
                }
            }
            Assert.Fail("mosquitto_pub is not installed (Debian package mosquitto-clients: apt-get install -y mosquitto-clients).");
            return "";
        }
    }

    private static async Task PublishAsync(int port, string topic, string message, params string[] extra)
    {
        var info = new ProcessStartInfo(MosquittoPub) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-m", message, "-q", "1", .. extra])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"mosquitto_pub failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
    }

    private static bool Is(JsonElement r, string eventName, string function) =>
        r.GetProperty("eventName").GetString() == eventName
        && r.GetProperty("resources")[0].GetProperty("ARN").GetString() == ArticlePatternTests.Arn(function);

    [Fact(Timeout = 120_000)]
    public async Task BothArticlePatterns_WithMosquittoPub_AndRealRetryDelays()
    {
        var rules = Path.Combine(_root, "rules");
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(rules);
        await File.WriteAllTextAsync(Path.Combine(rules, "pattern1.json"), ArticlePatternTests.Rule("article/pattern1", "invoke_test", "invoke_failed_test"));
        await File.WriteAllTextAsync(Path.Combine(rules, "pattern2.json"), ArticlePatternTests.Rule("article/pattern2", "invoke_deleted", "invoke_failed_test"));
        await File.WriteAllTextAsync(Path.Combine(_root, "functions.json"), ArticlePatternTests.FunctionsJson);

        await using var emulator = EmulatorProcess.Start(output, _root,
            "--mqtt-port", "0", "--http-port", "0", "--rules", rules, "--functions", "functions.json", "--data", data,
            "--lambda-retry-delays", "1,2", "--log-format", "json", "--warm-up", "true");
        await emulator.WaitStartedAsync();
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{emulator.HttpPort}/_emulator/ready")).StatusCode);
        }

        // Pattern 2 with MQTT 5 and mosquitto's empty client id; pattern 1 with MQTT 3.1.1.
        const string Pattern2Payload = "{\n  \"message\": \"Hello vrom AWS IoT console\"\n}";
        await PublishAsync(emulator.MqttPort, "article/pattern2", Pattern2Payload, "-V", "mqttv5");
        await PublishAsync(emulator.MqttPort, "article/pattern1", "{\"message\":\"hello\"}", "-i", "device-1");

        var cloudtrail = Path.Combine(data, "cloudtrail.jsonl");
        var records = await FileWatch.WaitForJsonLinesAsync(cloudtrail,
            lines => lines.Count(r => Is(r, "InvokeExecution", "invoke_test")) == 3 && lines.Any(r => Is(r, "InvokeExecution", "invoke_failed_test")),
            TimeSpan.FromSeconds(60));

        // Pattern 1: 1 Invoke + 3 InvokeExecution, one request id, about 1 s and 2 s apart (eventTime has whole seconds).
        var invoke = Assert.Single(records, r => Is(r, "Invoke", "invoke_test"));
        var requestId = invoke.GetProperty("requestID").GetString();
        var executions = records.Where(r => Is(r, "InvokeExecution", "invoke_test")).ToList();
        Assert.All(executions, e => Assert.Equal(requestId, e.GetProperty("requestID").GetString()));
        Assert.Equal("Event", invoke.GetProperty("requestParameters").GetProperty("invocationType").GetString());
        var times = executions.Select(e => DateTimeOffset.Parse(e.GetProperty("eventTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var gap1 = (times[1] - times[0]).TotalSeconds;
        var gap2 = (times[2] - times[1]).TotalSeconds;
        output.WriteLine($"retry gaps: {gap1} s, {gap2} s");
        Assert.InRange(gap1, 1, 5); // whole seconds, plus scheduling jitter on a busy CI machine
        Assert.InRange(gap2, 2, 6);

        // Pattern 2: no record for the missing function; B ran exactly once.
        Assert.DoesNotContain(records, r => r.GetProperty("resources")[0].GetProperty("ARN").GetString() == ArticlePatternTests.Arn("invoke_deleted"));
        Assert.Single(records, r => Is(r, "Invoke", "invoke_failed_test"));
        Assert.Single(records, r => Is(r, "InvokeExecution", "invoke_failed_test"));

        var invocations = FileWatch.ReadJsonLines(Path.Combine(data, "invocations.jsonl"));
        var b = Assert.Single(invocations, i => i.GetProperty("functionName").GetString() == "invoke_failed_test");
        Assert.Equal("pattern2", b.GetProperty("ruleName").GetString());
        var errorDocument = b.GetProperty("event");
        Assert.Equal("pattern2", errorDocument.GetProperty("ruleName").GetString());
        Assert.Equal(Pattern2Payload, Encoding.UTF8.GetString(Convert.FromBase64String(errorDocument.GetProperty("base64OriginalPayload").GetString()!)));
        var failure = Assert.Single(errorDocument.GetProperty("failures").EnumerateArray());
        Assert.Equal("LambdaAction", failure.GetProperty("failedAction").GetString());
        Assert.Equal(ArticlePatternTests.Arn("invoke_deleted"), failure.GetProperty("failedResource").GetString());
        var attempts = invocations.Where(i => i.GetProperty("functionName").GetString() == "invoke_test").Select(i => i.GetProperty("attempt").GetInt32()).Order();
        Assert.Equal([1, 2, 3], attempts);

        // The start-up warm-up ran in its own emulator: logged, and nowhere in this one's records.
        var warmedUp = Assert.Single(emulator.StandardOutput, l => l.Contains("Warmed up before start", StringComparison.Ordinal));
        using (var warmUpEvent = JsonDocument.Parse(warmedUp))
        {
            Assert.Equal(1800, warmUpEvent.RootElement.GetProperty("Messages").GetInt32());
        }
        Assert.DoesNotContain(records, r => r.GetRawText().Contains("warm", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(invocations, r => r.GetRawText().Contains("warm", StringComparison.OrdinalIgnoreCase));

        // The counters agree with the files (and count nothing of the warm-up either).
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var stats = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{emulator.HttpPort}/_emulator/stats"));
            Assert.Equal(2, stats.RootElement.GetProperty("mqtt").GetProperty("messagesAccepted").GetInt64());
            Assert.Equal(records.Count, stats.RootElement.GetProperty("lambda").GetProperty("cloudTrailRecords").GetInt64());
            Assert.Equal(invocations.Count, stats.RootElement.GetProperty("lambda").GetProperty("executionAttempts").GetInt64());
            Assert.Equal(0, stats.RootElement.GetProperty("lambda").GetProperty("scheduledRetries").GetInt32());
        }

        // Graceful shutdown on SIGTERM.
        Assert.Equal(0, await emulator.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact(Timeout = 60_000)]
    public async Task SigtermDuringTheWarmUp_ExitsWith0_WithoutStarting_AndRemovesItsFolder()
    {
        // The warm-up's private emulator lives in a folder under TMPDIR: its appearance says the warm-up is running.
        var temp = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
        using var watcher = new FileSystemWatcher(temp) { NotifyFilter = NotifyFilters.DirectoryName };
        var warmUpRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, e) =>
        {
            if (e.Name?.StartsWith(IoTRuleEmu.Hosting.StartupWarmUp.ScratchPrefix, StringComparison.Ordinal) == true)
            {
                warmUpRunning.TrySetResult();
            }
        };
        watcher.EnableRaisingEvents = true;

        await using var emulator = EmulatorProcess.Start(output, _root, new Dictionary<string, string> { ["TMPDIR"] = temp + "/" },
            "--mqtt-port", "0", "--http-port", "0", "--data", Path.Combine(_root, "data"), "--warm-up", "true", "--log-format", "json");
        await warmUpRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var exitCode = await emulator.StopAsync(TimeSpan.FromSeconds(30));
        var left = Directory.EnumerateFileSystemEntries(temp, "*", SearchOption.AllDirectories).ToList();
        Assert.True(exitCode == 0 && left.Count == 0,
            $"exit code {exitCode}; left in TMPDIR: {string.Join(", ", left)}; stderr: {string.Join(" | ", emulator.StandardError)}");
        Assert.DoesNotContain(emulator.StandardOutput, l => l.Contains("IoTRuleEmu started", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task ByDefault_StartsWithoutTheWarmUp()
    {
        await using var emulator = EmulatorProcess.Start(output, _root,
            "--mqtt-port", "0", "--http-port", "0", "--data", Path.Combine(_root, "data"), "--log-format", "json");
        await emulator.WaitStartedAsync();
        Assert.Equal(0, await emulator.StopAsync(TimeSpan.FromSeconds(30)));

        Assert.DoesNotContain(emulator.StandardOutput, l => l.Contains("warm", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(emulator.StandardOutput, l => l.Contains("IoTRuleEmu started", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task InvalidOption_ExitsWith2_AndSaysWhy()
    {
        var (exit, _, stderr, _) = await EmulatorProcess.RunToEndAsync(_root, "--mqtt-port", "abc", "--region", "nowhere");
        Assert.Equal(2, exit);
        Assert.Contains("'mqtt-port' (from --mqtt-port)", stderr, StringComparison.Ordinal);
        Assert.Contains("region", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task PortInUse_ExitsWith1_NamingThePort()
    {
        using var blocker = new TcpListener(IPAddress.Any, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var (exit, _, stderr, _) = await EmulatorProcess.RunToEndAsync(_root, "--mqtt-port", "0", "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        output.WriteLine(stderr);
        Assert.Equal(1, exit);
        Assert.Contains($"HTTP port {port} (--http-port)", stderr, StringComparison.Ordinal);
        Assert.Contains("already in use", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Eval_Single_ExitCodesAndExactOutput()
    {
        var match = await EmulatorProcess.RunToEndAsync(_root, "eval", "--sql", "SELECT a, b FROM 't/#' WHERE a > 1", "--topic", "t/1", "--payload", "{\"b\":\"x\",\"a\":2}");
        output.WriteLine($"eval took {match.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(0, match.ExitCode);
        Assert.Equal("{\"a\":2,\"b\":\"x\"}", Encoding.UTF8.GetString(match.Stdout));
        Assert.Equal("", match.Stderr);

        var noMatch = await EmulatorProcess.RunToEndAsync(_root, "eval", "--sql", "SELECT a FROM 't/#' WHERE a > 1", "--topic", "t/1", "--payload", "{\"a\":1}");
        Assert.Equal(1, noMatch.ExitCode);
        Assert.Empty(noMatch.Stdout);

        var bad = await EmulatorProcess.RunToEndAsync(_root, "eval", "--sql", "SELEC a FROM 't'", "--topic", "t", "--payload", "{}");
        Assert.Equal(2, bad.ExitCode);
        Assert.Empty(bad.Stdout);
        Assert.StartsWith("SqlParseException: ", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Eval_Cases_OneLinePerCase_Exit0()
    {
        var cases = Path.Combine(_root, "cases.jsonl");
        await File.WriteAllLinesAsync(cases,
        [
            """{"id":"one","sql":"SELECT upper(s) AS u FROM 'x'","topic":"x","payload":"{\"s\":\"abc\"}"}""",
            """{"id":"two","sql":"SELECT * FROM 'x' WHERE false","topic":"x","payload":"{}"}""",
            """{"id":"three","sql":"SELECT * FROM","topic":"x","payload":"{}"}""",
        ]);
        var (exit, stdout, stderr, _) = await EmulatorProcess.RunToEndAsync(_root, "eval", "--cases", cases);
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        var lines = Encoding.UTF8.GetString(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("""{"id":"one","matched":true,"payload":"{\"u\":\"ABC\"}"}""", lines[0]);
        Assert.Equal("""{"id":"two","matched":false}""", lines[1]);
        Assert.StartsWith("""{"id":"three","error":"SqlParseException: """, lines[2], StringComparison.Ordinal);
    }
}
