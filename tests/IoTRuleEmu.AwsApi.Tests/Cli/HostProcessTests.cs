using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Testing;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>
/// The issue's end-to-end path against the real host process (MQTTnet broker, options, --cloudformation through its
/// environment variable): create a rule with the CLI, publish with <c>aws iot-data publish</c>, find the Invoke with
/// <c>aws cloudtrail lookup-events</c>.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class HostProcessTests
{
    [Fact]
    public async Task CreateRule_IotDataPublish_CloudTrailLookupEvents_OnTheRealHost()
    {
        var root = Directory.CreateTempSubdirectory("awsapi-host-").FullName;
        var mqttPort = Processes.FreePort();
        var httpPort = Processes.FreePort();
        var endpoint = $"http://127.0.0.1:{httpPort}";
        await File.WriteAllTextAsync(Path.Combine(root, "functions.json"), """{"functions":[{"name":"e2e_fn"}]}""");
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sam-template.yaml"), Path.Combine(root, "sam.yaml"));
        await using var host = StartHost(root, mqttPort, httpPort, new Dictionary<string, string> { ["IOTRULEEMU_CLOUDFORMATION"] = "sam.yaml" });
        await WaitReadyAsync(endpoint, host);
        Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(endpoint, args);

        var create = await Aws("iot", "create-topic-rule", "--rule-name", "host_e2e", "--topic-rule-payload",
            """{"sql":"SELECT *, clientid() AS cid FROM 'host/+/in'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:e2e_fn"}}]}""");
        Assert.True(create.ExitCode == 0, create.ToString());
        var rules = (await Aws("iot", "list-topic-rules")).Json.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("ruleName").GetString()).ToList();
        Assert.Contains("host_e2e", rules);
        Assert.Contains("alarm_rule_dev", rules); // from --cloudformation (IOTRULEEMU_CLOUDFORMATION)

        var publish = await Aws("iot-data", "publish", "--topic", "host/d1/in", "--qos", "1", "--payload", "{\"n\":42}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        // Bounded polling of the CLI (the process has no in-memory hook): at most 30 s.
        JsonElement? found = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (found is null && DateTime.UtcNow < deadline)
        {
            var lookup = await Aws("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=Invoke");
            Assert.True(lookup.ExitCode == 0, lookup.ToString());
            found = lookup.Json.GetProperty("Events").EnumerateArray()
                .Select(e => JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!).RootElement)
                .Cast<JsonElement?>()
                .FirstOrDefault(r => r!.Value.GetProperty("requestParameters").GetProperty("sourceArn").GetString() == "arn:aws:iot:us-east-1:123456789012:rule/host_e2e");
            if (found is null)
            {
                await Task.Delay(250);
            }
        }
        Assert.True(found is not null, "no Invoke for host_e2e within 30 s:\n" + string.Join('\n', host.Output));
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:e2e_fn", found!.Value.GetProperty("requestParameters").GetProperty("functionName").GetString());

        var invocations = File.ReadAllLines(Path.Combine(root, "data", "invocations.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.GetProperty("functionName").GetString() == "e2e_fn").ToList();
        var evt = Assert.Single(invocations).GetProperty("event");
        Assert.Equal(42, evt.GetProperty("n").GetInt32());
        Assert.Equal("n/a", evt.GetProperty("cid").GetString());
        Assert.True(File.Exists(Path.Combine(root, "data", "api-rules", "host_e2e.json")));
    }

    /// <summary>
    /// The paths of a function's life that go beyond the built-in behaviours, through the real host (so also through the
    /// native build when <c>IOTRULEEMU_TEST_EXECUTABLE</c> names it): a <c>command</c> function whose success goes to an
    /// SQS destination, a failing function's dead-letter queue (AWSSDK.SQS against moto_server), a <c>remote</c>
    /// function forwarded with a SigV4-signed Invoke (AWSSDK.Core) to the emulator's own Lambda API, and a
    /// <c>runtimeApi</c> function whose bash custom runtime talks to the Runtime API the emulator serves.
    /// </summary>
    [Fact]
    public async Task CommandFunction_Destinations_DeadLetterQueue_AndRemoteInvoke_OnTheRealHost()
    {
        var root = Directory.CreateTempSubdirectory("awsapi-host-").FullName;
        await using var moto = await MotoServer.StartAsync();
        var mqttPort = Processes.FreePort();
        var httpPort = Processes.FreePort();
        var endpoint = $"http://127.0.0.1:{httpPort}";
        var queues = new Dictionary<string, string>();
        foreach (var queue in (string[])["done", "dlq"])
        {
            var created = await Processes.AwsAsync(moto.Url, "sqs", "create-queue", "--queue-name", queue);
            Assert.True(created.ExitCode == 0, created.ToString());
            queues[queue] = created.Json.GetProperty("QueueUrl").GetString()!;
        }
        var handler = Path.Combine(root, "handler.sh");
        await File.WriteAllTextAsync(handler, "#!/bin/sh\ncat >/dev/null\necho \"{\\\"ok\\\":\\\"$AWS_LAMBDA_FUNCTION_NAME\\\"}\"\n");
        // A custom runtime as in AWS's tutorial: next invocation, then its response (the event echoed).
        var bootstrap = Path.Combine(root, "bootstrap.sh");
        await File.WriteAllTextAsync(bootstrap, """
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01"
            while true; do
              HEADERS=$(mktemp)
              EVENT=$(curl -sS -D "$HEADERS" "$API/runtime/invocation/next")
              ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              rm -f "$HEADERS"
              curl -sS -X POST "$API/runtime/invocation/$ID/response" -d "$EVENT" > /dev/null
            done

            """);
        var functions = new JsonObject
        {
            ["endpoints"] = new JsonObject { ["sqs"] = moto.Url, ["sns"] = moto.Url },
            ["functions"] = new JsonArray(
                new JsonObject { ["name"] = "script", ["command"] = new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray(handler) }, ["onSuccess"] = "arn:aws:sqs:us-east-1:123456789012:done" },
                new JsonObject
                {
                    ["name"] = "broken", ["behavior"] = "fail", ["errorMessage"] = "boom", ["maximumRetryAttempts"] = 0,
                    ["deadLetterTargetArn"] = "arn:aws:sqs:us-east-1:123456789012:dlq",
                },
                new JsonObject { ["name"] = "target" },
                new JsonObject
                {
                    ["name"] = "forwarded",
                    ["remote"] = new JsonObject { ["endpoint"] = endpoint, ["region"] = "us-east-1", ["functionName"] = "target" },
                },
                new JsonObject
                {
                    ["name"] = "runtime", ["timeout"] = 30,
                    ["runtimeApi"] = new JsonObject { ["bootstrap"] = "/bin/bash", ["args"] = new JsonArray(bootstrap), ["handler"] = "echo.handler" },
                }),
        };
        await File.WriteAllTextAsync(Path.Combine(root, "functions.json"), functions.ToJsonString());
        var rules = Directory.CreateDirectory(Path.Combine(root, "rules")).FullName;
        foreach (var function in (string[])["script", "broken", "forwarded", "runtime"])
        {
            await File.WriteAllTextAsync(Path.Combine(rules, $"native_{function}.json"),
                $$$"""{"sql":"SELECT * FROM 'native/{{{function}}}'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:{{{function}}}"}}]}""");
        }
        await using var host = StartHost(root, mqttPort, httpPort,
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test" });
        await WaitReadyAsync(endpoint, host);
        foreach (var (function, n) in ((string, int)[])[("script", 1), ("broken", 2), ("forwarded", 3), ("runtime", 4)])
        {
            var publish = await Processes.AwsAsync(endpoint, "iot-data", "publish", "--topic", $"native/{function}", "--qos", "1", "--payload", $"{{\"n\":{n}}}");
            Assert.True(publish.ExitCode == 0, publish.ToString());
        }

        var done = await ReceiveOneAsync(moto.Url, queues["done"], host);
        using (var record = JsonDocument.Parse(done.GetProperty("Body").GetString()!))
        {
            Assert.Equal("Success", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
            Assert.Equal(1, record.RootElement.GetProperty("requestPayload").GetProperty("n").GetInt32());
            Assert.Equal("script", record.RootElement.GetProperty("responsePayload").GetProperty("ok").GetString());
        }
        var dead = await ReceiveOneAsync(moto.Url, queues["dlq"], host);
        Assert.Equal("""{"n":2}""", dead.GetProperty("Body").GetString());
        Assert.Equal("boom", dead.GetProperty("MessageAttributes").GetProperty("ErrorMessage").GetProperty("StringValue").GetString());

        // The forwarded Invoke arrives at the emulator's own Lambda API as an Event invoke of "target".
        var forwarded = await FirstAttemptAsync(root, "target", host);
        Assert.Equal(3, forwarded.GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal("Success", forwarded.GetProperty("outcome").GetString());
        var runtime = await FirstAttemptAsync(root, "runtime", host);
        Assert.Equal(4, runtime.GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal("Success", runtime.GetProperty("outcome").GetString());
    }

    /// <summary>The function's first invocations.jsonl line (polls at most 30 s).</summary>
    private static async Task<JsonElement> FirstAttemptAsync(string root, string functionName, RunningHost host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var path = Path.Combine(root, "data", "invocations.jsonl");
            var found = (File.Exists(path) ? File.ReadAllLines(path) : [])
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(r => r.GetProperty("functionName").GetString() == functionName)
                .Select(r => (JsonElement?)r)
                .FirstOrDefault();
            if (found is { } attempt)
            {
                return attempt;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"no attempt of {functionName} within 30 s:\n" + string.Join('\n', host.Output));
        return default;
    }

    /// <summary>One message from a moto queue (long polls, at most 30 s in all).</summary>
    private static async Task<JsonElement> ReceiveOneAsync(string motoEndpoint, string queueUrl, RunningHost host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var received = await Processes.AwsAsync(motoEndpoint, "sqs", "receive-message", "--queue-url", queueUrl,
                "--wait-time-seconds", "2", "--message-attribute-names", "All");
            Assert.True(received.ExitCode == 0, received.ToString());
            if (received.Stdout.Length > 0 && received.Json.TryGetProperty("Messages", out var messages) && messages.GetArrayLength() > 0)
            {
                return messages[0];
            }
        }
        Assert.Fail($"nothing arrived on {queueUrl} within 30 s:\n" + string.Join('\n', host.Output));
        return default;
    }

    /// <summary>
    /// Starts the host in <paramref name="root"/> (rules/, functions.json, data/): <c>dotnet IoTRuleEmu.dll</c>, or the
    /// native build that <c>IOTRULEEMU_TEST_EXECUTABLE</c> names (.ci/run tests it this way too).
    /// </summary>
    private static RunningHost StartHost(string root, int mqttPort, int httpPort, IReadOnlyDictionary<string, string> environment)
    {
        string[] args = ["--mqtt-port", $"{mqttPort}", "--http-port", $"{httpPort}", "--rules", "rules", "--functions", "functions.json", "--data", "data"];
        var native = Environment.GetEnvironmentVariable("IOTRULEEMU_TEST_EXECUTABLE");
        var start = string.IsNullOrEmpty(native)
            ? new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTRuleEmu.dll"), .. args])
            : new ProcessStartInfo(Path.GetFullPath(native), args);
        start.WorkingDirectory = root;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var host = new RunningHost(Process.Start(start)!, root);
        host.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) { host.Output.Enqueue(e.Data); } };
        host.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { host.Output.Enqueue(e.Data); } };
        host.Process.BeginOutputReadLine();
        host.Process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The host process and what it printed; disposing kills it and deletes its folder.</summary>
    private sealed class RunningHost(Process process, string root) : IAsyncDisposable
    {
        public Process Process => process;

        public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(string endpoint, RunningHost host)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !host.Process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(endpoint + "/_emulator/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        Assert.Fail("The host did not become ready:\n" + string.Join('\n', host.Output));
    }
}
