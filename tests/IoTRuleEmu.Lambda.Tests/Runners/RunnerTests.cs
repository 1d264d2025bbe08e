using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Destinations;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.RuntimeApi;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests.Runners;

/// <summary>Each way to run a function, against a real peer process.</summary>
public class RunnerTests
{
    private static InvokeRequest Request(string function, string payload, InvocationType type = InvocationType.RequestResponse) => new()
    {
        FunctionName = function,
        InvocationType = type,
        Payload = Encoding.UTF8.GetBytes(payload),
        Caller = new InvokeCaller("203.0.113.7", null, null, null),
    };

    private static async Task<InvokeResult> InvokeAsync(EmulatorHarness h, string function, string payload, InvocationType type = InvocationType.RequestResponse)
    {
        var result = await h.Services.GetRequiredService<ILambdaService>().InvokeAsync(Request(function, payload, type), h.Timeout);
        await h.SettleAsync();
        return result;
    }

    private static JsonElement Json(ReadOnlyMemory<byte> bytes) => JsonDocument.Parse(bytes).RootElement.Clone();

    private static string Escape(string path) => JsonEncodedText.Encode(path).ToString();

    [Fact]
    public async Task Http_2xxIsTheResponse_OtherStatusIsAFunctionError_RetriesKeepTheRequestId()
    {
        var (peer, port) = await PeerProcess.StartAsync("python3", [PeerProcess.Peer("http_peer.py")], CancellationToken.None);
        await using var _ = peer;
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"web","http":{"url":"http://127.0.0.1:{{port}}/fn","headers":{"X-Custom":"yes"} },"maximumRetryAttempts":1,
              "onFailure":"arn:aws:sqs:us-east-1:123456789012:f"}]}
            """);

        var ok = await InvokeAsync(h, "web", """{"a":1}""");
        Assert.Equal((200, null), (ok.StatusCode, ok.FunctionError));
        var body = Json(ok.Payload);
        Assert.Equal("""{"a":1}""", body.GetProperty("event").GetRawText());
        Assert.Equal(ok.RequestId, body.GetProperty("requestId").GetString());
        Assert.Equal("yes", body.GetProperty("custom").GetString());

        var bad = await InvokeAsync(h, "web", """{"fail":true}""");
        Assert.Equal("Unhandled", bad.FunctionError);
        Assert.Equal("http says no", Json(bad.Payload).GetProperty("errorMessage").GetString());

        // Async: the failing event is retried once, 60 s later, then goes to the failure destination.
        var async = await InvokeAsync(h, "web", """{"fail":true}""", InvocationType.Event);
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        var attempts = h.Invocations().Snapshot().Where(i => i.RequestId == async.RequestId).ToList();
        Assert.Equal([(1, "http says no"), (2, "http says no")], attempts.Select(a => (a.Attempt, a.ErrorMessage)));
        var record = Json(Assert.Single(h.Services.GetRequiredService<IDestinationLog>().Snapshot()).Body);
        Assert.Equal("ValueError", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Http_UnreachableUrl_IsAFunctionError()
    {
        var port = PeerProcess.FreePort();
        await using var h = await LambdaHarness.StartAsync($$"""{"functions":[{"name":"web","http":"http://127.0.0.1:{{port}}/"}]}""");
        var result = await InvokeAsync(h, "web", "{}");
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.StartsWith($"POST http://127.0.0.1:{port}/ failed", Json(result.Payload).GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_GetsTheEventOnStdin_AndLambdasEnvironment_ExitCodeDecides()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"cmd","command":{"path":"/bin/bash","args":["{{Escape(PeerProcess.Peer("command.sh"))}}"]},
              "memorySize":512,"environment":{"MY_SETTING":"on"} }]}
            """);

        var ok = await InvokeAsync(h, "cmd", """{"b":[1,2]}""");
        var body = Json(ok.Payload);
        Assert.Equal(("cmd", "$LATEST", "us-east-1", "512", "on", ok.RequestId, "1"),
            (body.GetProperty("function").GetString(), body.GetProperty("version").GetString(), body.GetProperty("region").GetString(),
             body.GetProperty("memory").GetString(), body.GetProperty("custom").GetString(), body.GetProperty("requestId").GetString(), body.GetProperty("attempt").GetString()));
        Assert.Equal("""{"b":[1,2]}""", body.GetProperty("event").GetRawText());

        var bad = await InvokeAsync(h, "cmd", """{"fail":1}""");
        Assert.Equal("Unhandled", bad.FunctionError);
        var error = Json(bad.Payload);
        Assert.Equal(("command says no for " + bad.RequestId, "Runtime.ExitError"), (error.GetProperty("errorMessage").GetString(), error.GetProperty("errorType").GetString()));
    }

    [Fact]
    public async Task Command_Timeout_KillsTheProcess()
    {
        await using var h = await LambdaHarness.StartAsync("""{"functions":[{"name":"slow","command":{"path":"/bin/sleep","args":["612.5"]},"timeout":2}]}""");
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var call = lambda.InvokeAsync(Request("slow", "{}"), h.Timeout).AsTask();
        await h.Logs.WaitForEventAsync(EventIds.AttemptRunning, h.Timeout);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await call;
        Assert.Equal("Task timed out after 2.00 seconds", Json(result.Payload).GetProperty("errorMessage").GetString());
        // The process is gone (bounded polling: the kernel reaps it asynchronously).
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (SleepersRunning("612.5"))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task InvokeEndpoint_IsARequestResponseCallPerAttempt_FunctionErrorHeaderMeansFailure()
    {
        var (peer, port) = await PeerProcess.StartAsync("python3", [PeerProcess.Peer("http_peer.py")], CancellationToken.None);
        await using var _ = peer;
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"rie","invokeEndpoint":{"url":"http://127.0.0.1:{{port}}","functionName":"function"},"maximumRetryAttempts":0}]}
            """);

        var ok = await InvokeAsync(h, "rie", """{"x":"y"}""", InvocationType.Event);
        Assert.Equal(202, ok.StatusCode);
        Assert.Equal("Success", Assert.Single(h.Invocations().Snapshot()).Outcome);

        var sync = await InvokeAsync(h, "rie", """{"x":"y"}""");
        var body = Json(sync.Payload);
        Assert.Equal(("function", "RequestResponse"), (body.GetProperty("function").GetString(), body.GetProperty("invocationType").GetString()));

        var bad = await InvokeAsync(h, "rie", """{"fail":true}""");
        Assert.Equal("Unhandled", bad.FunctionError);
        var error = Json(bad.Payload);
        Assert.Equal(("invoke endpoint says no", "ValueError"), (error.GetProperty("errorMessage").GetString(), error.GetProperty("errorType").GetString()));
        Assert.Equal("line 1", error.GetProperty("stackTrace")[0].GetString());
    }

    [Fact]
    public async Task RuntimeApi_BashCustomRuntime_RunsEveryAttempt_WithTheSameRequestId()
    {
        var log = Path.Combine(Path.GetTempPath(), "iotruleemu-requests-" + Guid.NewGuid().ToString("N"));
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"shell","runtimeApi":{"bootstrap":"/bin/bash","args":["{{Escape(PeerProcess.Peer("bootstrap.sh"))}}"],"handler":"function.handler"},
              "environment":{"REQUEST_LOG":"{{Escape(log)}}"},"timeout":30}]}
            """);
        try
        {
            var ok = await InvokeAsync(h, "shell", """{"hello":"world"}""");
            var body = Json(ok.Payload);
            Assert.Equal(("bash", "function.handler", "shell"), (body.GetProperty("runtime").GetString(), body.GetProperty("handler").GetString(), body.GetProperty("function").GetString()));
            Assert.Equal("""{"hello":"world"}""", body.GetProperty("event").GetRawText());
            Assert.Equal((EmulatorHarness.Start.AddSeconds(30)).ToUnixTimeMilliseconds(), body.GetProperty("deadlineMs").GetInt64());

            // Async with retries: three attempts, one request id, one process.
            var failed = await InvokeAsync(h, "shell", """{"fail":true}""", InvocationType.Event);
            await h.AdvanceAsync(TimeSpan.FromSeconds(60));
            await h.AdvanceAsync(TimeSpan.FromSeconds(120));
            var attempts = h.Invocations().Snapshot().Where(i => i.RequestId == failed.RequestId).ToList();
            Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
            Assert.All(attempts, a => Assert.Equal("bash runtime says no", a.ErrorMessage));
            Assert.Equal([ok.RequestId, failed.RequestId, failed.RequestId, failed.RequestId], await File.ReadAllLinesAsync(log));
            Assert.Equal(1, Runner(h, "shell").ProcessStarts);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task RuntimeApi_ProcessExitBeforeAnswering_FailsTheAttempt_AndTheNextAttemptStartsAFreshProcess()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"py","runtimeApi":{"bootstrap":"python3","args":["{{Escape(PeerProcess.Peer("bootstrap.py"))}}"]},"timeout":30}]}
            """);
        var crash = await InvokeAsync(h, "py", """{"crash":true}""");
        Assert.Equal("Unhandled", crash.FunctionError);
        Assert.Equal($"RequestId: {crash.RequestId} Process exited before completing request", Json(crash.Payload).GetProperty("errorMessage").GetString());

        var ok = await InvokeAsync(h, "py", """{"n":2}""");
        Assert.Equal("python", Json(ok.Payload).GetProperty("runtime").GetString());
        Assert.Equal(2, Runner(h, "py").ProcessStarts);
    }

    [Fact]
    public async Task RuntimeApi_Timeout_KillsTheProcess_AndReportsTaskTimedOut()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"py","runtimeApi":{"bootstrap":"python3","args":["{{Escape(PeerProcess.Peer("bootstrap.py"))}}"]},"timeout":3}]}
            """);
        var first = await InvokeAsync(h, "py", """{"n":1}""");
        var pid = Json(first.Payload).GetProperty("pid").GetInt32();

        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var call = lambda.InvokeAsync(Request("py", """{"hang":true}"""), h.Timeout).AsTask();
        await WaitForCountAsync(h, EventIds.AttemptRunning, 2);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        var hung = await call;
        Assert.Equal("Task timed out after 3.00 seconds", Json(hung.Payload).GetProperty("errorMessage").GetString());
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));

        var after = await InvokeAsync(h, "py", """{"n":3}""");
        Assert.NotEqual(pid, Json(after.Payload).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task RuntimeApi_InitError_FailsTheAttempt_WithTheRuntimesError()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"py","runtimeApi":{"bootstrap":"python3","args":["{{Escape(PeerProcess.Peer("bootstrap.py"))}}"]},"environment":{"INIT_FAIL":"1"},"timeout":30}]}
            """);
        var result = await InvokeAsync(h, "py", "{}");
        var error = Json(result.Payload);
        Assert.Equal(("init went wrong", "Runtime.InitError"), (error.GetProperty("errorMessage").GetString(), error.GetProperty("errorType").GetString()));
        Assert.Single(h.Logs.WithEventId(EventIds.RuntimeApiInitError));
    }

    [Fact]
    public async Task RuntimeApi_RealRuntimeClient_AwsLambdaRic_RunsANodeHandler()
    {
        var ric = await NodeRuntimeClient.EnsureInstalledAsync();
        var taskRoot = Path.Combine(PeerProcess.PeersDirectory, "node");
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"nodefn","runtimeApi":{"bootstrap":"node","args":["{{Escape(ric)}}","index.handler"],"workingDirectory":"{{Escape(taskRoot)}}","handler":"index.handler"},
              "timeout":30,"onSuccess":"arn:aws:sqs:us-east-1:123456789012:ok","onFailure":"arn:aws:sqs:us-east-1:123456789012:bad","maximumRetryAttempts":0}]}
            """);
        var ok = await InvokeAsync(h, "nodefn", """{"temperature":21}""");
        Assert.True(ok.FunctionError is null, Encoding.UTF8.GetString(ok.Payload.Span));
        var body = Json(ok.Payload);
        Assert.Equal(("aws-lambda-ric", ok.RequestId, "nodefn", "arn:aws:lambda:us-east-1:123456789012:function:nodefn"),
            (body.GetProperty("runtime").GetString(), body.GetProperty("requestId").GetString(), body.GetProperty("functionName").GetString(),
             body.GetProperty("invokedFunctionArn").GetString()));
        Assert.Equal("""{"temperature":21}""", body.GetProperty("event").GetRawText());

        var bad = await InvokeAsync(h, "nodefn", """{"fail":true}""");
        Assert.Equal("Unhandled", bad.FunctionError);
        var error = Json(bad.Payload);
        Assert.Equal(("node handler says no", "Error"), (error.GetProperty("errorMessage").GetString(), error.GetProperty("errorType").GetString()));

        // Through the async queue: destinations get the node handler's own result and error documents.
        await InvokeAsync(h, "nodefn", """{"n":1}""", InvocationType.Event);
        await InvokeAsync(h, "nodefn", """{"fail":true}""", InvocationType.Event);
        var deliveries = h.Services.GetRequiredService<IDestinationLog>().Snapshot();
        Assert.Equal(["Success", "RetriesExhausted"], deliveries.Select(d => d.Condition));
        Assert.Equal("aws-lambda-ric", Json(deliveries[0].Body).GetProperty("responsePayload").GetProperty("runtime").GetString());
        Assert.Equal("node handler says no", Json(deliveries[1].Body).GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        Assert.Equal(1, Runner(h, "nodefn").ProcessStarts);
    }

    private static bool SleepersRunning(string marker) =>
        Directory.EnumerateDirectories("/proc").Any(d =>
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(d, "cmdline"));
                var status = File.ReadAllText(Path.Combine(d, "status"));
                return cmdline.Contains(marker, StringComparison.Ordinal) && !status.Contains("State:\tZ", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private static RuntimeApiRunner Runner(EmulatorHarness h, string name)
    {
        Assert.True(h.Functions().TryGet(name, out var function));
        return Assert.IsType<RuntimeApiRunner>(function.Runner);
    }

    private static Task WaitForCountAsync(EmulatorHarness h, int eventId, int count) =>
        h.Logs.WaitForAsync(e => e.EventId.Id == eventId && h.Logs.WithEventId(eventId).Count >= count, h.Timeout);
}

/// <summary>The npm package <c>aws-lambda-ric</c> (AWS's Node.js runtime interface client), installed once per machine.</summary>
public static class NodeRuntimeClient
{
    public const string Version = "4.0.2";

    private static readonly SemaphoreSlim s_lock = new(1, 1);

    /// <summary>Installs the package if needed (npm; its install scripts build the native addon with cmake/g++, a few minutes once); returns its index.mjs.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        var root = Environment.GetEnvironmentVariable("IOTRULEEMU_AWS_LAMBDA_RIC_DIR") ?? Path.Combine(Path.GetTempPath(), "iotruleemu-aws-lambda-ric-" + Version);
        var entry = Path.Combine(root, "node_modules", "aws-lambda-ric", "index.mjs");
        var addon = Path.Combine(root, "node_modules", "aws-lambda-ric", "rapid-client.node");
        await s_lock.WaitAsync();
        try
        {
            if (!File.Exists(addon))
            {
                Directory.CreateDirectory(root);
                var start = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
                foreach (var arg in new[] { "install", "--no-audit", "--no-fund", "--prefix", root, "aws-lambda-ric@" + Version })
                {
                    start.ArgumentList.Add(arg);
                }
                using var npm = Process.Start(start)!;
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
                var output = npm.StandardOutput.ReadToEndAsync(timeout.Token);
                var error = npm.StandardError.ReadToEndAsync(timeout.Token);
                await npm.WaitForExitAsync(timeout.Token);
                Assert.True(npm.ExitCode == 0 && File.Exists(addon), $"npm install aws-lambda-ric@{Version} failed: {await output}\n{await error}");
            }
            return entry;
        }
        finally
        {
            s_lock.Release();
        }
    }
}
