using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Patterns;

/// <summary>
/// The reference article's two patterns end to end, in-process, with a virtual clock: MQTT publish → rule → Lambda
/// action → CloudTrail records / invocations, and when the rule's error action runs.
/// </summary>
public sealed class ArticlePatternTests(ITestOutputHelper output)
{
    public const string FunctionsJson = """
        {
          "functions": [
            { "name": "invoke_test", "behavior": "fail", "errorMessage": "intentional failure" },
            { "name": "invoke_failed_test" }
          ]
        }
        """;

    public static string Arn(string function) => $"arn:aws:lambda:us-east-1:123456789012:function:{function}";

    public static string Rule(string topic, string function, string errorFunction) => $$"""
        {
          "sql": "SELECT * FROM '{{topic}}'",
          "description": "reference article",
          "ruleDisabled": false,
          "awsIotSqlVersion": "2016-03-23",
          "actions": [ { "lambda": { "functionArn": "{{Arn(function)}}" } } ],
          "errorAction": { "lambda": { "functionArn": "{{Arn(errorFunction)}}" } }
        }
        """;

    private static bool Is(CloudTrailRecord r, string eventName, string function) =>
        r.EventName == eventName && r.FunctionArn == Arn(function);

    [Fact(Timeout = 60_000)]
    public async Task Pattern1_FunctionFails_ThreeAttempts_60And120sApart_ErrorActionNeverRuns()
    {
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.FunctionsJson = FunctionsJson;
            s.Rules["pattern1"] = Rule("article/pattern1", "invoke_test", "invoke_failed_test");
        });
        var trail = emu.Services.GetRequiredService<ICloudTrailLog>();
        var invocations = emu.Services.GetRequiredService<IInvocationLog>();
        var queue = emu.Services.GetRequiredService<IAsyncInvocationQueue>();
        var engine = emu.Services.GetRequiredService<IRuleEngine>();
        var t0 = emu.Clock.GetUtcNow();

        var client = await emu.ConnectAsync("device-1");
        await client.PublishAsync("article/pattern1", "{\"message\":\"hello\"}");

        // Attempt 1 runs at once.
        await trail.WaitForCountAsync(r => Is(r, "InvokeExecution", "invoke_test"), 1).WaitAsync(TestEmulator.Timeout);
        await engine.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        Assert.Equal(1, queue.ScheduledRetries);

        // Not a moment before 60 s.
        emu.Clock.Advance(TimeSpan.FromSeconds(59));
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        Assert.Single(trail.Snapshot(), r => Is(r, "InvokeExecution", "invoke_test"));

        emu.Clock.Advance(TimeSpan.FromSeconds(1));
        await trail.WaitForCountAsync(r => Is(r, "InvokeExecution", "invoke_test"), 2).WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);

        emu.Clock.Advance(TimeSpan.FromSeconds(119));
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        Assert.Equal(2, trail.Snapshot().Count(r => Is(r, "InvokeExecution", "invoke_test")));

        emu.Clock.Advance(TimeSpan.FromSeconds(1));
        await trail.WaitForCountAsync(r => Is(r, "InvokeExecution", "invoke_test"), 3).WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        await engine.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        Assert.Equal(0, queue.ScheduledRetries);

        // Well past any further delay: nothing else happens.
        emu.Clock.Advance(TimeSpan.FromHours(7));
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);

        var records = trail.Snapshot();
        var invoke = Assert.Single(records, r => Is(r, "Invoke", "invoke_test"));
        var executions = records.Where(r => Is(r, "InvokeExecution", "invoke_test")).OrderBy(r => r.EventTime).ToList();
        Assert.Equal(3, executions.Count);
        Assert.All(executions, e => Assert.Equal(invoke.RequestId, e.RequestId));
        Assert.Equal("Event", invoke.RequestParameters!.InvocationType);
        // functionName is what the rules engine passed: the function's name or ARN.
        Assert.EndsWith("invoke_test", invoke.RequestParameters.FunctionName, StringComparison.Ordinal);
        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/pattern1", invoke.RequestParameters.SourceArn);
        Assert.Equal("iot.amazonaws.com", invoke.UserIdentity.InvokedBy);
        Assert.Equal("lambda.amazonaws.com", executions[0].UserIdentity.InvokedBy);
        Assert.Equal(t0, invoke.EventTime);
        Assert.Equal(t0, executions[0].EventTime);
        Assert.Equal(TimeSpan.FromSeconds(60), executions[1].EventTime - executions[0].EventTime);
        Assert.Equal(TimeSpan.FromSeconds(120), executions[2].EventTime - executions[1].EventTime);

        // The error action (function B) never ran.
        Assert.DoesNotContain(records, r => r.FunctionArn == Arn("invoke_failed_test"));

        var attempts = invocations.Snapshot().Where(i => i.FunctionName == "invoke_test").OrderBy(i => i.Attempt).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.Equal("Unhandled", a.Outcome));
        Assert.All(attempts, a => Assert.Equal("intentional failure", a.ErrorMessage));
        Assert.All(attempts, a => Assert.Equal("{\"message\":\"hello\"}", a.EventText));

        // The same on disk.
        await trail.FlushAsync();
        var lines = File.ReadAllLines(Path.Combine(emu.DataDirectory, "cloudtrail.jsonl"));
        Assert.Equal(4, lines.Length);
        var names = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eventName").GetString()).ToList();
        Assert.Equal(["Invoke", "InvokeExecution", "InvokeExecution", "InvokeExecution"], names);
        var times = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eventTime").GetString()).ToList();
        Assert.Equal(["2019-01-24T05:20:38Z", "2019-01-24T05:20:38Z", "2019-01-24T05:21:38Z", "2019-01-24T05:23:38Z"], times);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pattern2_FunctionMissing_NoRecordForIt_ErrorActionRunsOnce_WithErrorDocument()
    {
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.FunctionsJson = FunctionsJson;
            s.Rules["pattern2"] = Rule("article/pattern2", "invoke_deleted", "invoke_failed_test");
        });
        var trail = emu.Services.GetRequiredService<ICloudTrailLog>();
        var invocations = emu.Services.GetRequiredService<IInvocationLog>();
        var queue = emu.Services.GetRequiredService<IAsyncInvocationQueue>();
        var engine = emu.Services.GetRequiredService<IRuleEngine>();

        // Exact bytes, whitespace and all: base64OriginalPayload must decode to them.
        var payload = Encoding.UTF8.GetBytes("{\n  \"message\": \"Hello vrom AWS IoT console\"\n}");
        var client = await emu.ConnectAsync("device-2");
        await client.PublishAsync("article/pattern2", payload);

        var execution = await invocations.WaitForAsync(i => i.FunctionName == "invoke_failed_test").WaitAsync(TestEmulator.Timeout);
        await engine.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        emu.Clock.Advance(TimeSpan.FromHours(7));
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);

        var records = trail.Snapshot();
        Assert.DoesNotContain(records, r => r.FunctionArn == Arn("invoke_deleted"));
        var invoke = Assert.Single(records, r => Is(r, "Invoke", "invoke_failed_test"));
        var run = Assert.Single(records, r => Is(r, "InvokeExecution", "invoke_failed_test"));
        Assert.Equal(invoke.RequestId, run.RequestId);
        Assert.Single(invocations.Snapshot(), i => i.FunctionName == "invoke_failed_test");
        Assert.Equal("Success", execution.Outcome);
        Assert.Equal("pattern2", execution.RuleName);

        using var document = JsonDocument.Parse(execution.Event);
        var root = document.RootElement;
        Assert.Equal("pattern2", root.GetProperty("ruleName").GetString());
        Assert.Equal("article/pattern2", root.GetProperty("topic").GetString());
        Assert.Equal("device-2", root.GetProperty("clientId").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("cloudwatchTraceId").GetString()));
        Assert.Equal(payload, Convert.FromBase64String(root.GetProperty("base64OriginalPayload").GetString()!));
        var failure = Assert.Single(root.GetProperty("failures").EnumerateArray());
        Assert.Equal("LambdaAction", failure.GetProperty("failedAction").GetString());
        Assert.Equal(Arn("invoke_deleted"), failure.GetProperty("failedResource").GetString());
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("errorMessage").GetString()));
    }
}
