using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IoTRuleEmu.Tests.Infrastructure;
using MQTTnet;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.ProcessLevel;

/// <summary>
/// Lambda's durable async queue and the virtual clock, through the built host (<c>dotnet IoTRuleEmu.dll</c>): kill -9
/// between two attempts and restart; advance a <c>--clock virtual</c> emulator through <c>POST /_emulator/clock/advance</c>.
/// </summary>
public sealed class LambdaProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("iotruleemu-lambda-process-").FullName;

    private const string Functions = """{"functions":[{"name":"bad","behavior":"fail","errorMessage":"boom"}]}""";
    private const string Rule = """{"sql":"SELECT * FROM 'lambda/test'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:bad"}}]}""";

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (string Rules, string Data) Prepare()
    {
        var rules = Path.Combine(_root, "rules");
        Directory.CreateDirectory(rules);
        File.WriteAllText(Path.Combine(rules, "lambda_test.json"), Rule);
        File.WriteAllText(Path.Combine(_root, "functions.json"), Functions);
        return (rules, Path.Combine(_root, "data"));
    }

    private static async Task PublishAsync(int port, string payload)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("lambda-process-test").Build(), cts.Token);
        await client.PublishAsync("lambda/test", payload);
        await client.DisconnectAsync(cancellationToken: cts.Token);
    }

    private static DateTimeOffset Time(JsonElement line) => DateTimeOffset.Parse(line.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);

    [Fact(Timeout = 180_000)]
    public async Task KilledBetweenAttempts_RestartedEmulator_RunsTheRemainingAttemptsOnSchedule()
    {
        var (rules, data) = Prepare();
        string[] args = ["--mqtt-port", "0", "--http-port", "0", "--rules", rules, "--functions", "functions.json", "--data", data,
            "--lambda-retry-delays", "8,4", "--log-format", "json"];
        var invocations = Path.Combine(data, "invocations.jsonl");

        var first = EmulatorProcess.Start(output, _root, args);
        try
        {
            await first.WaitStartedAsync();
            await PublishAsync(first.MqttPort, """{"keep":"me"}""");
            await FileWatch.WaitForJsonLinesAsync(invocations, lines => lines.Count == 1, TimeSpan.FromSeconds(30));
        }
        finally
        {
            // kill -9 (SIGKILL) while the retry, due 8 s after the first attempt, waits.
            await first.DisposeAsync();
        }
        var afterKill = FileWatch.ReadJsonLines(invocations);
        Assert.Single(afterKill);
        Assert.True(File.Exists(Path.Combine(data, "lambda-state.db")));

        await using var second = EmulatorProcess.Start(output, _root, args);
        await second.WaitStartedAsync();
        var lines = await FileWatch.WaitForJsonLinesAsync(invocations, l => l.Count == 3, TimeSpan.FromSeconds(60));

        Assert.Equal([1, 2, 3], lines.Select(l => l.GetProperty("attempt").GetInt32()));
        Assert.Single(lines.Select(l => l.GetProperty("requestId").GetString()).Distinct());
        Assert.All(lines, l => Assert.Equal("me", l.GetProperty("event").GetProperty("keep").GetString()));
        // On schedule: the second attempt did not run before its due time, although the emulator was back earlier.
        var gap1 = (Time(lines[1]) - Time(lines[0])).TotalSeconds;
        var gap2 = (Time(lines[2]) - Time(lines[1])).TotalSeconds;
        output.WriteLine($"gaps across the restart: {gap1} s, {gap2} s");
        Assert.InRange(gap1, 8, 20);
        Assert.InRange(gap2, 4, 10);
        Assert.Contains(second.StandardOutput, l => l.Contains("stored async event", StringComparison.Ordinal));

        // CloudTrail: one Invoke (before the kill) and three InvokeExecution records, one request id.
        var trail = FileWatch.ReadJsonLines(Path.Combine(data, "cloudtrail.jsonl"));
        Assert.Equal(["Invoke", "InvokeExecution", "InvokeExecution", "InvokeExecution"], trail.Select(r => r.GetProperty("eventName").GetString()));
        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact(Timeout = 120_000)]
    public async Task VirtualClock_AdvanceEndpoint_RunsTheRetrySchedule_InMilliseconds()
    {
        var (rules, data) = Prepare();
        await using var emulator = EmulatorProcess.Start(output, _root,
            "--mqtt-port", "0", "--http-port", "0", "--rules", rules, "--functions", "functions.json", "--data", data,
            "--clock", "virtual", "--log-format", "json");
        await emulator.WaitStartedAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{emulator.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        using (var clock = JsonDocument.Parse(await http.GetStringAsync("/_emulator/clock")))
        {
            Assert.Equal("virtual", clock.RootElement.GetProperty("mode").GetString());
        }

        await PublishAsync(emulator.MqttPort, "{}");
        var invocations = Path.Combine(data, "invocations.jsonl");
        await FileWatch.WaitForJsonLinesAsync(invocations, l => l.Count == 1, TimeSpan.FromSeconds(30));

        async Task<JsonElement> AdvanceAsync(double seconds)
        {
            using var response = await http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds });
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return doc.RootElement.Clone();
        }

        var started = DateTime.UtcNow;
        var nothing = await AdvanceAsync(59);
        Assert.Equal(0, nothing.GetProperty("timersFired").GetInt32());
        Assert.Single(FileWatch.ReadJsonLines(invocations));
        var second = await AdvanceAsync(1);
        Assert.Equal(1, second.GetProperty("timersFired").GetInt32());
        // The advance returns once what fell due has run: the attempt is already recorded.
        Assert.Equal(2, (await FileWatch.WaitForJsonLinesAsync(invocations, l => l.Count == 2, TimeSpan.FromSeconds(10))).Count);
        var rest = await AdvanceAsync(3600);
        Assert.Equal(1, rest.GetProperty("timersFired").GetInt32());
        Assert.False(rest.GetProperty("unsettled").GetBoolean());
        var elapsed = DateTime.UtcNow - started;

        var lines = await FileWatch.WaitForJsonLinesAsync(invocations, l => l.Count == 3, TimeSpan.FromSeconds(10));
        Assert.Equal([60.0, 120.0], [(Time(lines[1]) - Time(lines[0])).TotalSeconds, (Time(lines[2]) - Time(lines[1])).TotalSeconds]);
        output.WriteLine($"a 3-minute retry schedule took {elapsed.TotalMilliseconds} ms of real time");
        Assert.True(elapsed < TimeSpan.FromSeconds(30));

        using var badBody = await http.PostAsync("/_emulator/clock/advance", new StringContent("{\"seconds\":-1}"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(0, await emulator.StopAsync(TimeSpan.FromSeconds(30)));
    }
}
