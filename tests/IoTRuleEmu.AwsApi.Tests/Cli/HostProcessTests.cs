using System.Diagnostics;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>
/// The end-to-end path against the real host process (MQTTnet broker, options, --cloudformation through its
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
        string[] args = ["--mqtt-port", $"{mqttPort}", "--http-port", $"{httpPort}", "--rules", "rules", "--functions", "functions.json", "--data", "data"];
        // IOTRULEEMU_TEST_EXECUTABLE: the native (AOT) build, which .ci/run tests this way too.
        var native = Environment.GetEnvironmentVariable("IOTRULEEMU_TEST_EXECUTABLE");
        var start = string.IsNullOrEmpty(native)
            ? new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTRuleEmu.dll"), .. args])
            : new ProcessStartInfo(Path.GetFullPath(native), args);
        start.WorkingDirectory = root;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["IOTRULEEMU_CLOUDFORMATION"] = "sam.yaml";
        using var host = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        host.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await WaitReadyAsync(endpoint, host, output);
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
            Assert.True(found is not null, "no Invoke for host_e2e within 30 s:\n" + string.Join('\n', output));
            Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:e2e_fn", found!.Value.GetProperty("requestParameters").GetProperty("functionName").GetString());

            var invocations = File.ReadAllLines(Path.Combine(root, "data", "invocations.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.GetProperty("functionName").GetString() == "e2e_fn").ToList();
            var evt = Assert.Single(invocations).GetProperty("event");
            Assert.Equal(42, evt.GetProperty("n").GetInt32());
            Assert.Equal("n/a", evt.GetProperty("cid").GetString());
            Assert.True(File.Exists(Path.Combine(root, "data", "api-rules", "host_e2e.json")));
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(string endpoint, Process host, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !host.HasExited)
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
        Assert.Fail("The host did not become ready:\n" + string.Join('\n', output));
    }
}
