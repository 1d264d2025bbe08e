using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Testing;

namespace IoTRuleEmu.Lambda.Tests;

/// <summary>
/// The reference article's two experiments (spec/reference-article.md §2), run on a fake clock:
/// rule action = function A, error action = function B.
/// </summary>
public class ArticlePatternTests
{
    private const string FunctionA = "arn:aws:lambda:us-east-1:123456789012:function:invoke_test";
    private const string FunctionB = "arn:aws:lambda:us-east-1:123456789012:function:invoke_failed_test";
    private const string RuleArn = "arn:aws:iot:us-east-1:123456789012:rule/article_rule";

    private static string Rule(string actionFunction) => $$"""
        {
          "sql": "SELECT * FROM 'iot/test'",
          "actions": [ { "lambda": { "functionArn": "{{actionFunction}}" } } ],
          "errorAction": { "lambda": { "functionArn": "{{FunctionB}}" } }
        }
        """;

    [Fact]
    public async Task Pattern1_FunctionAlwaysThrows_RunsThreeTimesOnOneRequestId_ErrorActionNeverRuns()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("article_rule", Rule(FunctionA));
        var t0 = h.Time.GetUtcNow();

        await h.PublishAsync("iot/test", """{"message":"hello"}""");

        var invoke = Assert.Single(h.Records("invoke_test", CloudTrailRecord.InvokeEventName));
        Assert.Single(h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName));
        Assert.Equal(1, h.LambdaQueue().ScheduledRetries);

        // Nothing happens one second before the first retry is due.
        await h.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Single(h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName));
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName).Count);

        await h.AdvanceAsync(TimeSpan.FromSeconds(119));
        Assert.Equal(2, h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName).Count);
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var executions = h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName);
        Assert.Equal(3, executions.Count);

        // Then the event is dropped, with a log line saying so, and nothing more ever runs.
        var dropped = await h.Logs.WaitForEventAsync(EventIds.EventDropped, h.Timeout);
        Assert.Equal(invoke.RequestId, dropped["RequestId"]);
        Assert.Equal(3, dropped["Attempts"]);
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
        await h.AdvanceAsync(TimeSpan.FromHours(6));
        Assert.Equal(3, h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName).Count);

        // One request id throughout; attempts at t, t+60 s, t+180 s.
        Assert.All(executions, e => Assert.Equal(invoke.RequestId, e.RequestId));
        Assert.Equal([t0, t0.AddSeconds(60), t0.AddSeconds(180)], executions.Select(e => e.EventTime));
        Assert.Equal(t0, invoke.EventTime);
        Assert.Equal(4, executions.Select(e => e.EventId).Append(invoke.EventId).Distinct().Count());

        // The error action never ran: B has no record at all.
        Assert.Empty(h.Records("invoke_failed_test"));
        Assert.Empty(h.Logs.WithEventId(EventIds.ErrorActionRun));
        var counters = h.Rules.Current.Find("article_rule")!.Counters;
        Assert.Equal(1, counters.ActionsSucceeded);
        Assert.Equal(0, counters.ActionsFailed);

        // invocations.jsonl: one line per attempt.
        var attempts = h.Invocations().Snapshot();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a =>
        {
            Assert.Equal(invoke.RequestId, a.RequestId);
            Assert.Equal(InvocationLogRecord.UnhandledOutcome, a.Outcome);
            Assert.Equal("intentional failure", a.ErrorMessage);
            Assert.Equal("article_rule", a.RuleName);
            Assert.Equal("""{"message":"hello"}""", a.EventText);
        });

        // The files on disk say the same, in the contract's format.
        var trail = await h.ReadJsonLinesAsync(CloudTrailLog.FileName);
        Assert.Equal(["Invoke", "InvokeExecution", "InvokeExecution", "InvokeExecution"], trail.Select(r => r.GetProperty("eventName").GetString()));
        Assert.Equal(["2019-01-24T05:20:38Z", "2019-01-24T05:20:38Z", "2019-01-24T05:21:38Z", "2019-01-24T05:23:38Z"], trail.Select(r => r.GetProperty("eventTime").GetString()));
        Assert.All(trail, r => Assert.Equal(invoke.RequestId, r.GetProperty("requestID").GetString()));

        var invokeJson = trail[0];
        Assert.Equal("AWSService", invokeJson.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Equal("iot.amazonaws.com", invokeJson.GetProperty("userIdentity").GetProperty("invokedBy").GetString());
        Assert.Equal("iot.amazonaws.com", invokeJson.GetProperty("sourceIPAddress").GetString());
        Assert.Equal("iot.amazonaws.com", invokeJson.GetProperty("userAgent").GetString());
        var parameters = invokeJson.GetProperty("requestParameters");
        Assert.Equal(FunctionA, parameters.GetProperty("functionName").GetString());
        Assert.Equal("Event", parameters.GetProperty("invocationType").GetString());
        Assert.Equal(RuleArn, parameters.GetProperty("sourceArn").GetString());
        Assert.Equal("123456789012", parameters.GetProperty("sourceAccount").GetString());

        var executionJson = trail[1];
        Assert.Equal("lambda.amazonaws.com", executionJson.GetProperty("userIdentity").GetProperty("invokedBy").GetString());
        Assert.Equal("lambda.amazonaws.com", executionJson.GetProperty("sourceIPAddress").GetString());
        Assert.Equal("lambda.amazonaws.com", executionJson.GetProperty("userAgent").GetString());
        Assert.Equal(JsonValueKind.Null, executionJson.GetProperty("requestParameters").ValueKind);
        Assert.Equal(FunctionA + ":$LATEST", executionJson.GetProperty("additionalEventData").GetProperty("functionVersion").GetString());

        var lines = await h.ReadJsonLinesAsync(InvocationLog.FileName);
        Assert.Equal([1, 2, 3], lines.Select(l => l.GetProperty("attempt").GetInt32()));
        Assert.Equal(["time", "requestId", "functionName", "functionArn", "attempt", "event", "outcome", "errorMessage", "ruleName"],
            lines[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("hello", lines[0].GetProperty("event").GetProperty("message").GetString());
        Assert.Equal("Unhandled", lines[2].GetProperty("outcome").GetString());
        Assert.Equal(FunctionA, lines[2].GetProperty("functionArn").GetString());
        Assert.Equal("invoke_test", lines[2].GetProperty("functionName").GetString());
        Assert.Equal("2019-01-24T05:23:38.000Z", lines[2].GetProperty("time").GetString());
    }

    [Fact]
    public async Task Pattern2_FunctionDoesNotExist_NoRecordForIt_ErrorActionRunsOnceWithTheDocument()
    {
        await using var h = await LambdaHarness.StartAsync();
        const string missing = "arn:aws:lambda:us-east-1:123456789012:function:deleted_function";
        h.AddRule("article_rule", Rule(missing));
        var original = Encoding.UTF8.GetBytes("{\n  \"message\": \"Hello from AWS IoT console\"\n}");
        var message = h.Message("iot/test", original, clientId: "iotconsole-1");
        Assert.True(h.Engine.TryEnqueue(message));
        await h.SettleAsync();
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        // No record at all for the missing function.
        Assert.Empty(h.Records("deleted_function"));
        // B: exactly one Invoke and one InvokeExecution, one request id.
        var bRecords = h.Records("invoke_failed_test");
        Assert.Equal(["Invoke", "InvokeExecution"], bRecords.Select(r => r.EventName));
        Assert.Equal(bRecords[0].RequestId, bRecords[1].RequestId);
        Assert.Equal(RuleArn, bRecords[0].RequestParameters!.SourceArn);
        Assert.Equal(2, h.CloudTrail().Snapshot().Count);

        // What B received is the error document naming LambdaAction and A's ARN.
        var attempt = Assert.Single(h.Invocations().Snapshot());
        Assert.Equal(InvocationLogRecord.SuccessOutcome, attempt.Outcome);
        Assert.Equal("article_rule", attempt.RuleName);
        using var doc = JsonDocument.Parse(attempt.Event);
        var root = doc.RootElement;
        Assert.Equal("article_rule", root.GetProperty("ruleName").GetString());
        Assert.Equal("iot/test", root.GetProperty("topic").GetString());
        Assert.Equal(message.TraceId, root.GetProperty("cloudwatchTraceId").GetString());
        Assert.Equal("iotconsole-1", root.GetProperty("clientId").GetString());
        Assert.Equal("10.0.0.7", root.GetProperty("sourceIp").GetString());
        Assert.Equal(original, root.GetProperty("base64OriginalPayload").GetBytesFromBase64());
        var failure = Assert.Single(root.GetProperty("failures").EnumerateArray());
        Assert.Equal("LambdaAction", failure.GetProperty("failedAction").GetString());
        Assert.Equal(missing, failure.GetProperty("failedResource").GetString());
        Assert.Equal("Failed to invoke lambda function. Received Server error from Lambda. The error code is 404", failure.GetProperty("errorMessage").GetString());

        var counters = h.Rules.Current.Find("article_rule")!.Counters;
        Assert.Equal(1, counters.ActionsFailed);
        Assert.Equal(1, counters.ErrorActionsSucceeded);
        var rejected = Assert.Single(h.Logs.WithEventId(EventIds.InvokeRejected));
        Assert.Equal(404, rejected["StatusCode"]);
        Assert.Equal("ResourceNotFoundException", rejected["ErrorCode"]);
    }

    [Fact]
    public async Task ConfiguredRetryDelays_AreUsed()
    {
        await using var h = await LambdaHarness.StartAsync(configureLambda: o => o.RetryDelays = LambdaEmulatorOptions.ParseRetryDelays("1,2.5"));
        h.AddRule("article_rule", Rule(FunctionA));
        var t0 = h.Time.GetUtcNow();

        await h.PublishAsync("iot/test", "{}");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        await h.AdvanceAsync(TimeSpan.FromSeconds(2.5));

        Assert.Equal([t0, t0.AddSeconds(1), t0.AddSeconds(3.5)], h.Records("invoke_test", "InvokeExecution").Select(r => r.EventTime));
    }

    [Fact]
    public async Task SucceedingFunction_RunsOnce()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("ok_rule", """{"sql":"SELECT * FROM 'ok'","actions":[{"lambda":{"functionArn":"invoke_failed_test"}}]}""");

        await h.PublishAsync("ok", """{"a":1}""");
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(["Invoke", "InvokeExecution"], h.Records("invoke_failed_test").Select(r => r.EventName));
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
        Assert.Equal("Success", Assert.Single(h.Invocations().Snapshot()).Outcome);
    }

    [Fact]
    public async Task ManyMessages_EachGetsItsOwnRequestIdAndSchedule()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("article_rule", Rule(FunctionA));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(h.Engine.TryEnqueue(h.Message("iot/test", "{\"n\":" + i + "}")));
        }
        await h.SettleAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        await h.AdvanceAsync(TimeSpan.FromSeconds(120));

        var invokes = h.Records("invoke_test", "Invoke");
        Assert.Equal(20, invokes.Select(r => r.RequestId).Distinct().Count());
        var executions = h.Records("invoke_test", "InvokeExecution");
        Assert.Equal(60, executions.Count);
        Assert.All(executions.GroupBy(e => e.RequestId), g => Assert.Equal(3, g.Count()));
    }
}
