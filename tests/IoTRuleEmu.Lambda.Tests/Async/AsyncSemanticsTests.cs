using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Destinations;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests.Async;

/// <summary>
/// EventInvokeConfig, destinations, DLQ, reserved concurrency, throttling and timeouts on a fake clock
/// (lambda-async.md §1.2–1.8; the AWS-validated cases of §1.5 and §1.8).
/// </summary>
public class AsyncSemanticsTests
{
    private const string Account = "123456789012";
    private const string FailQueue = "arn:aws:sqs:us-east-1:123456789012:failures";
    private const string OkQueue = "arn:aws:sqs:us-east-1:123456789012:successes";
    private const string Dlq = "arn:aws:sqs:us-east-1:123456789012:dlq";

    private static InvokeRequest Event(string function, string payload = """{"n":1}""") => new()
    {
        FunctionName = function,
        Payload = Encoding.UTF8.GetBytes(payload),
        Caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", Account),
    };

    private static async Task<InvokeResult> InvokeAsync(EmulatorHarness h, InvokeRequest request)
    {
        var result = await h.Services.GetRequiredService<ILambdaService>().InvokeAsync(request);
        await h.SettleAsync();
        return result;
    }

    private static Task WaitForCountAsync(EmulatorHarness h, int eventId, int count) =>
        h.Logs.WaitForAsync(e => e.EventId.Id == eventId && h.Logs.WithEventId(eventId).Count >= count, h.Timeout);

    private static JsonElement Record(DestinationLogRecord record) => JsonDocument.Parse(record.Body).RootElement.Clone();

    private static IReadOnlyList<DestinationLogRecord> Deliveries(EmulatorHarness h) => h.Services.GetRequiredService<IDestinationLog>().Snapshot();

    [Fact]
    public async Task MaxEventAge60_RunsOnce_ThenEventAgeExceededWithCount1()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"aged","behavior":"fail","errorMessage":"boom","maximumEventAgeInSeconds":60,"onFailure":"{{FailQueue}}"}]}
            """);
        var t0 = h.Time.GetUtcNow();
        var result = await InvokeAsync(h, Event("aged"));

        // AWS: the retry 60 s later could not start before the 60 s age limit, so none is scheduled.
        Assert.Equal(202, result.StatusCode);
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
        await h.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Single(h.Records("aged", CloudTrailRecord.InvokeExecutionEventName));

        var delivery = Assert.Single(Deliveries(h));
        Assert.Equal((DestinationLogRecord.OnFailureKind, FailQueue, "file", "EventAgeExceeded"), (delivery.Kind, delivery.Destination, delivery.DeliveredTo, delivery.Condition));
        var record = Record(delivery);
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(result.RequestId, record.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("Unhandled", record.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal("boom", record.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        Assert.Equal(t0, DateTimeOffset.Parse(record.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MaxEventAge90_RunsTwice_ThenEventAgeExceededWithCount2()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"aged","behavior":"fail","maximumEventAgeInSeconds":90,"onFailure":"{{FailQueue}}"}]}
            """);
        var t0 = h.Time.GetUtcNow();
        await InvokeAsync(h, Event("aged"));
        Assert.Equal(1, h.LambdaQueue().ScheduledRetries);
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        // The third attempt (120 s after the second, at 180 s) could not start before 90 s: given up at once.
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal([t0, t0.AddSeconds(60)], h.Records("aged", CloudTrailRecord.InvokeExecutionEventName).Select(r => r.EventTime));
        var record = Record(Assert.Single(Deliveries(h)));
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(2, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(t0.AddSeconds(60), DateTimeOffset.Parse(record.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MaximumRetryAttempts_IsTheRetryBudget()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[
              {"name":"none","behavior":"fail","maximumRetryAttempts":0,"onFailure":"{{FailQueue}}"},
              {"name":"one","behavior":"fail","maximumRetryAttempts":1,"onFailure":"{{FailQueue}}"}]}
            """);
        await InvokeAsync(h, Event("none"));
        await InvokeAsync(h, Event("one"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        await h.AdvanceAsync(TimeSpan.FromSeconds(120));
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Single(h.Records("none", CloudTrailRecord.InvokeExecutionEventName));
        Assert.Equal(2, h.Records("one", CloudTrailRecord.InvokeExecutionEventName).Count);
        var counts = Deliveries(h).Select(Record).ToDictionary(
            r => r.GetProperty("requestContext").GetProperty("functionArn").GetString()!,
            r => (r.GetProperty("requestContext").GetProperty("condition").GetString(), r.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32()));
        Assert.Equal(("RetriesExhausted", 1), counts["arn:aws:lambda:us-east-1:123456789012:function:none:$LATEST"]);
        Assert.Equal(("RetriesExhausted", 2), counts["arn:aws:lambda:us-east-1:123456789012:function:one:$LATEST"]);
    }

    [Fact]
    public async Task SuccessRecord_HasTheDocumentedShape()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"ok","response":{"status":"done","items":[1,2]},"onSuccess":"{{OkQueue}}","onFailure":"{{FailQueue}}"}]}
            """);
        var result = await InvokeAsync(h, Event("ok", """{"device":"d1","temp":21.5}"""));

        var delivery = Assert.Single(Deliveries(h));
        Assert.Equal((DestinationLogRecord.OnSuccessKind, OkQueue, "Success"), (delivery.Kind, delivery.Destination, delivery.Condition));
        var record = Record(delivery);
        Assert.Equal(["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"], record.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1.0", record.GetProperty("version").GetString());
        Assert.Equal("2019-01-24T05:20:38.000Z", record.GetProperty("timestamp").GetString());
        var context = record.GetProperty("requestContext");
        Assert.Equal(["requestId", "functionArn", "condition", "approximateInvokeCount"], context.EnumerateObject().Select(p => p.Name));
        Assert.Equal(result.RequestId, context.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok:$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal("Success", context.GetProperty("condition").GetString());
        Assert.Equal(1, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("""{"device":"d1","temp":21.5}""", record.GetProperty("requestPayload").GetRawText());
        Assert.Equal("""{"statusCode":200,"executedVersion":"$LATEST"}""", record.GetProperty("responseContext").GetRawText());
        Assert.Equal("""{"status":"done","items":[1,2]}""", record.GetProperty("responsePayload").GetRawText());
    }

    [Fact]
    public async Task FailureRecord_AfterThreeAttempts_IsRetriesExhausted_WithTheErrorDocument()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"bad","behavior":"fail","errorMessage":"Test exception (this is intentional)","errorType":"ValueError","onFailure":"{{FailQueue}}"}]}
            """);
        var result = await InvokeAsync(h, Event("bad"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        await h.AdvanceAsync(TimeSpan.FromSeconds(120));

        var record = Record(Assert.Single(Deliveries(h)));
        Assert.Equal("RetriesExhausted", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(3, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("""{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"}""", record.GetProperty("responseContext").GetRawText());
        var error = record.GetProperty("responsePayload");
        Assert.Equal("Test exception (this is intentional)", error.GetProperty("errorMessage").GetString());
        Assert.Equal("ValueError", error.GetProperty("errorType").GetString());
        Assert.Equal(result.RequestId, error.GetProperty("requestId").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        Assert.Equal("2019-01-24T05:23:38.000Z", record.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task FailTimes_SucceedsOnTheThirdAttempt_WithOneRequestId()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"flaky","failTimes":2,"response":"ok","onSuccess":"{{OkQueue}}"}]}
            """);
        var result = await InvokeAsync(h, Event("flaky"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        await h.AdvanceAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(["Unhandled", "Unhandled", "Success"], h.Invocations().Snapshot().Select(i => i.Outcome));
        Assert.All(h.Invocations().Snapshot(), i => Assert.Equal(result.RequestId, i.RequestId));
        var record = Record(Assert.Single(Deliveries(h)));
        Assert.Equal(3, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("\"ok\"", record.GetProperty("responsePayload").GetRawText());
    }

    [Fact]
    public async Task DeadLetterQueue_GetsTheOriginalEvent_WithItsThreeAttributes()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"bad","behavior":"fail","errorMessage":"Test exception (this is intentional)","maximumRetryAttempts":0,
              "deadLetterTargetArn":"{{Dlq}}","onFailure":"{{FailQueue}}"}]}
            """);
        var result = await InvokeAsync(h, Event("bad", """{"original": true}"""));

        // Both: an on-failure destination and a DLQ are not exclusive.
        var deliveries = Deliveries(h);
        Assert.Equal([DestinationLogRecord.OnFailureKind, DestinationLogRecord.DeadLetterKind], deliveries.Select(d => d.Kind));
        var dlq = deliveries[1];
        Assert.Equal(Dlq, dlq.Destination);
        Assert.Equal("""{"original": true}""", dlq.BodyText);
        Assert.Equal(
            [("RequestID", ("String", result.RequestId)), ("ErrorCode", ("Number", "200")), ("ErrorMessage", ("String", "Test exception (this is intentional)"))],
            dlq.MessageAttributes!.Select(a => (a.Key, a.Value)));

        // destinations.jsonl on disk.
        await h.Services.GetRequiredService<IDestinationLog>().FlushAsync(h.Timeout);
        var lines = (await File.ReadAllLinesAsync(Path.Combine(h.DataDirectory, DestinationLog.FileName))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(["time", "kind", "destination", "requestId", "functionName", "condition", "deliveredTo", "body", "messageAttributes"], lines[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("Number", lines[1].GetProperty("messageAttributes").GetProperty("ErrorCode").GetProperty("dataType").GetString());
        Assert.True(lines[1].GetProperty("body").GetProperty("original").GetBoolean());
    }

    [Fact]
    public async Task DeadLetterErrorMessage_IsTheFirstKilobyte()
    {
        var longMessage = new string('x', 3000);
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"bad","behavior":"fail","errorMessage":"{{longMessage}}","maximumRetryAttempts":0,"deadLetterTargetArn":"{{Dlq}}"}]}
            """);
        await InvokeAsync(h, Event("bad"));
        Assert.Equal(1024, Assert.Single(Deliveries(h)).MessageAttributes!["ErrorMessage"].Value.Length);
    }

    [Fact]
    public async Task ZeroReservedConcurrency_Returns202_AndGoesStraightToFailureHandling()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"off","reservedConcurrency":0,"onFailure":"{{FailQueue}}","deadLetterTargetArn":"{{Dlq}}"}]}
            """);
        var result = await InvokeAsync(h, Event("off"));
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(["Invoke"], h.Records("off").Select(r => r.EventName));
        Assert.Empty(h.Invocations().Snapshot());
        var deliveries = Deliveries(h);
        Assert.Equal([DestinationLogRecord.OnFailureKind, DestinationLogRecord.DeadLetterKind], deliveries.Select(d => d.Kind));
        var record = Record(deliveries[0]);
        Assert.Equal(["version", "timestamp", "requestContext", "requestPayload"], record.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ZeroReservedConcurrency", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Single(h.Logs.WithEventId(EventIds.ZeroReservedConcurrency));

        // Synchronous invoke of the same function: 429 with AWS's reason.
        var sync = await InvokeAsync(h, Event("off") with { InvocationType = InvocationType.RequestResponse });
        Assert.Equal((429, "TooManyRequestsException", "Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded"),
            (sync.StatusCode, sync.ErrorCode, sync.ErrorMessage, sync.Reason));
    }

    [Fact]
    public async Task ReservedConcurrency1_ThrottlesTheSecondEvent_WithDoublingBackoff_WithoutUsingRetries()
    {
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[{"name":"slow","behavior":"sleep","sleepSeconds":20,"timeout":60,"reservedConcurrency":1}]}
            """);
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var first = await lambda.InvokeAsync(Event("slow"));
        await h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptRunning && (string?)e["RequestId"] == first.RequestId, h.Timeout);
        var second = await lambda.InvokeAsync(Event("slow"));
        await h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptThrottled, h.Timeout);

        // The second event backs off 1 s, 2 s, 4 s, 8 s, 16 s while the first sleeps 20 s.
        var backoffs = new List<double>();
        for (var i = 1; i <= 5; i++)
        {
            await WaitForCountAsync(h, EventIds.AttemptThrottled, i);
            backoffs.Add((double)h.Logs.WithEventId(EventIds.AttemptThrottled)[^1]["BackoffSeconds"]!);
            if (i < 5)
            {
                h.Time.Advance(TimeSpan.FromSeconds(backoffs[^1]));
            }
        }
        Assert.Equal([1.0, 2.0, 4.0, 8.0, 16.0], backoffs);
        h.Time.Advance(TimeSpan.FromSeconds(5));   // t = 20: the first finishes
        await h.SettleAsync();
        Assert.DoesNotContain(h.Logs.WithEventId(EventIds.AttemptStarted), e => (string?)e["RequestId"] == second.RequestId);
        h.Time.Advance(TimeSpan.FromSeconds(11));  // t = 31: the fifth backoff ends and the second runs
        await h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptRunning && (string?)e["RequestId"] == second.RequestId, h.Timeout);
        h.Time.Advance(TimeSpan.FromSeconds(20));
        await h.SettleAsync();

        var attempts = h.Invocations().Snapshot();
        Assert.Equal([(first.RequestId, 1), (second.RequestId, 1)], attempts.Select(a => (a.RequestId, a.Attempt)));
        Assert.All(attempts, a => Assert.Equal("Success", a.Outcome));
    }

    [Fact]
    public async Task ThrottledEvent_AgesOut_WithoutRunning()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"busy","behavior":"sleep","sleepSeconds":600,"timeout":900,"reservedConcurrency":1,"maximumEventAgeInSeconds":60,"onFailure":"{{FailQueue}}"}]}
            """);
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var first = await lambda.InvokeAsync(Event("busy"));
        await h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptRunning, h.Timeout);
        var second = await lambda.InvokeAsync(Event("busy"));
        for (var i = 1; i <= 5; i++)
        {
            await WaitForCountAsync(h, EventIds.AttemptThrottled, i);
            h.Time.Advance(TimeSpan.FromSeconds(Math.Pow(2, i - 1)));
        }
        // 1+2+4+8+16 = 31 s; the next backoff (32 s) would end after the 60 s age: EventAgeExceeded, never run.
        var delivery = await h.Services.GetRequiredService<IDestinationLog>().WaitForAsync(d => d.RequestId == second.RequestId, h.Timeout);
        var record = Record(delivery);
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(record.TryGetProperty("responseContext", out _));
        Assert.DoesNotContain(h.Invocations().Snapshot(), a => a.RequestId == second.RequestId);
        h.Time.Advance(TimeSpan.FromSeconds(600));
        await h.SettleAsync();
        Assert.Equal(first.RequestId, Assert.Single(h.Invocations().Snapshot()).RequestId);
    }

    [Fact]
    public async Task Timeout_IsAnUnhandledError_TaskTimedOut_AndIsRetried()
    {
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"sleepy","behavior":"sleep","sleepSeconds":10,"timeout":3,"maximumRetryAttempts":1,"onFailure":"{{FailQueue}}"}]}
            """);
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var result = await lambda.InvokeAsync(Event("sleepy"));
        await h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptRunning, h.Timeout);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        await h.SettleAsync();

        var first = Assert.Single(h.Invocations().Snapshot());
        Assert.Equal(("Unhandled", "Task timed out after 3.00 seconds"), (first.Outcome, first.ErrorMessage));
        Assert.Single(h.Logs.WithEventId(EventIds.AttemptTimedOut));

        // The retry 60 s after the timeout (at 63 s) times out too.
        h.Time.Advance(TimeSpan.FromSeconds(60));
        await WaitForCountAsync(h, EventIds.AttemptRunning, 2);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        await h.SettleAsync();
        var record = Record(Assert.Single(Deliveries(h)));
        Assert.Equal("RetriesExhausted", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal("Task timed out after 3.00 seconds", record.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        Assert.Equal("Sandbox.Timedout", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
        Assert.Equal(result.RequestId, record.GetProperty("requestContext").GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task LambdaDestination_IsANewAsyncInvoke_ByLambda()
    {
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[
              {"name":"bad","behavior":"fail","maximumRetryAttempts":0,"onFailure":"arn:aws:lambda:us-east-1:123456789012:function:handler"},
              {"name":"handler"}]}
            """);
        var result = await InvokeAsync(h, Event("bad"));
        await h.SettleAsync();

        var invoke = Assert.Single(h.Records("handler", CloudTrailRecord.InvokeEventName));
        Assert.Equal("lambda.amazonaws.com", invoke.UserIdentity.InvokedBy);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:bad", invoke.RequestParameters!.SourceArn);
        var received = Assert.Single(h.Invocations().Snapshot(), i => i.FunctionName == "handler");
        using var doc = JsonDocument.Parse(received.Event);
        Assert.Equal(result.RequestId, doc.RootElement.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("RetriesExhausted", doc.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal("lambda", Assert.Single(Deliveries(h)).DeliveredTo);
    }

    [Fact]
    public async Task SynchronousInvoke_ReturnsThePayloadOrTheFunctionError()
    {
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[{"name":"ok","response":{"a":1}},{"name":"bad","behavior":"fail","errorMessage":"nope"}]}
            """);
        var ok = await InvokeAsync(h, Event("ok") with { InvocationType = InvocationType.RequestResponse, LogType = "Tail" });
        Assert.Equal((200, null, "$LATEST"), (ok.StatusCode, ok.FunctionError, ok.ExecutedVersion));
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(ok.Payload.Span));
        Assert.StartsWith("START RequestId: " + ok.RequestId, Encoding.UTF8.GetString(Convert.FromBase64String(ok.LogResult!)), StringComparison.Ordinal);

        var bad = await InvokeAsync(h, Event("bad") with { InvocationType = InvocationType.RequestResponse });
        Assert.Equal((200, "Unhandled"), (bad.StatusCode, bad.FunctionError));
        using var error = JsonDocument.Parse(bad.Payload);
        Assert.Equal("nope", error.RootElement.GetProperty("errorMessage").GetString());

        var dry = await InvokeAsync(h, Event("ok") with { InvocationType = InvocationType.DryRun });
        Assert.Equal(204, dry.StatusCode);
        // One attempt each for the two runs, none for DryRun; no retries for synchronous calls.
        Assert.Equal(2, h.Invocations().Snapshot().Count);
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
        Assert.Equal(["RequestResponse", "RequestResponse"], h.CloudTrail().Snapshot().Select(r => r.RequestParameters!.InvocationType));
    }
}
