using System.Text;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Clock;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Persistence;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests.Async;

public class DurabilityTests
{
    private const string Functions = """{"functions":[{"name":"bad","behavior":"fail","errorMessage":"e"}]}""";

    [Fact]
    public async Task PendingEvent_ResumesAfterARestart_OnItsSchedule()
    {
        var data = Path.Combine(Path.GetTempPath(), "iotruleemu-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string requestId;
            await using (var first = await LambdaHarness.StartAsync(Functions, configureEngine: o => o.DataDirectory = data))
            {
                var result = await first.Services.GetRequiredService<ILambdaService>().InvokeAsync(new InvokeRequest
                {
                    FunctionName = "bad",
                    Payload = Encoding.UTF8.GetBytes("""{"keep":"me"}"""),
                    Caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"),
                });
                requestId = result.RequestId;
                await first.SettleAsync();
                var stored = Assert.Single(first.Services.GetRequiredService<IAsyncInvocationStore>().LoadPending());
                Assert.Equal((requestId, 1, EmulatorHarness.Start.AddSeconds(60)), (stored.RequestId, stored.Attempts.Count, stored.NextAttemptAt));
            }

            // A new emulator on the same data folder, same clock start.
            await using var second = await LambdaHarness.StartAsync(Functions, configureEngine: o => o.DataDirectory = data);
            Assert.Equal(1, second.LambdaQueue().ScheduledRetries);
            Assert.Single(second.Logs.WithEventId(EventIds.EventsResumed));
            await second.AdvanceAsync(TimeSpan.FromSeconds(59));
            Assert.Empty(second.Invocations().Snapshot());
            await second.AdvanceAsync(TimeSpan.FromSeconds(1));
            var attempt = Assert.Single(second.Invocations().Snapshot());
            Assert.Equal((requestId, 2, """{"keep":"me"}"""), (attempt.RequestId, attempt.Attempt, attempt.EventText));
            await second.AdvanceAsync(TimeSpan.FromSeconds(120));
            Assert.Equal([2, 3], second.Invocations().Snapshot().Select(a => a.Attempt));
            Assert.Empty(second.Services.GetRequiredService<IAsyncInvocationStore>().LoadPending());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// A failed attempt's retry is stored before the attempt's invocations.jsonl line is written: someone who sees the
    /// line and kills the emulator keeps the retry.
    /// </summary>
    [Fact]
    public async Task RetryState_IsStoredBeforeTheAttemptsLineIsWritten()
    {
        var linesWhenRetryStored = new List<int>();
        IServiceProvider? services = null;
        await using var h = await LambdaHarness.StartAsync(Functions, configureServices: s => s.AddSingleton<IAsyncInvocationStore>(sp =>
        {
            services = sp;
            return new ProbeStore(ActivatorUtilities.CreateInstance<SqliteAsyncInvocationStore>(sp), invocation =>
            {
                if (invocation.NextAttemptAt is not null)
                {
                    linesWhenRetryStored.Add(services!.GetRequiredService<IoTRuleEmu.Lambda.Invocations.IInvocationLog>().Snapshot().Count);
                }
            });
        }));
        await h.Services.GetRequiredService<ILambdaService>().InvokeAsync(new InvokeRequest
        {
            FunctionName = "bad",
            Payload = Encoding.UTF8.GetBytes("""{"keep":"me"}"""),
            Caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"),
        });
        await h.SettleAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        // Stored after attempt 1 (no line yet), then after attempt 2 (one line: attempt 1's).
        Assert.Equal([0, 1], linesWhenRetryStored);
        Assert.Equal([1, 2], h.Invocations().Snapshot().Select(a => a.Attempt));
    }

    /// <summary>The real store, reporting each Save first.</summary>
    private sealed class ProbeStore(IAsyncInvocationStore inner, Action<AsyncInvocation> onSave) : IAsyncInvocationStore, IDisposable
    {
        public void Save(AsyncInvocation invocation)
        {
            onSave(invocation);
            inner.Save(invocation);
        }

        public void Remove(string requestId) => inner.Remove(requestId);

        public IReadOnlyList<AsyncInvocation> LoadPending() => inner.LoadPending();

        public void Flush() => inner.Flush();

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task OverdueEvent_RunsAtOnce_AfterRestart()
    {
        var data = Path.Combine(Path.GetTempPath(), "iotruleemu-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await LambdaHarness.StartAsync(Functions, configureEngine: o => o.DataDirectory = data))
            {
                await first.Services.GetRequiredService<ILambdaService>().InvokeAsync(new InvokeRequest
                {
                    FunctionName = "bad",
                    Caller = new InvokeCaller("203.0.113.1", null, null, null),
                });
                await first.SettleAsync();
            }
            await using var second = await LambdaHarness.StartAsync(Functions, configureEngine: o => o.DataDirectory = data);
            // The fake clock of this test harness starts where the first one did; move the stored time into the past instead.
            second.Time.Advance(TimeSpan.FromSeconds(90));
            await second.SettleAsync();
            Assert.Equal([2], second.Invocations().Snapshot().Select(a => a.Attempt));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Store_RoundTripsEveryField()
    {
        var invocation = new AsyncInvocation("req", "fn", "arn:aws:lambda:us-east-1:123456789012:function:fn", Encoding.UTF8.GetBytes("{\"a\":1}"),
            EmulatorHarness.Start, new InvokeCaller("iot.amazonaws.com", "arn:rule", "123456789012", "rule"))
        {
            Qualifier = "$LATEST",
        };
        invocation.AddAttempt(new AttemptRecord(1, EmulatorHarness.Start, EmulatorHarness.Start.AddTicks(12345), AttemptOutcome.Unhandled, "T", "m") { Response = "{\"errorMessage\":\"m\"}"u8.ToArray() });
        invocation.NextAttemptAt = EmulatorHarness.Start.AddSeconds(60.5);
        invocation.Throttles = 3;

        var copy = SqliteAsyncInvocationStore.Deserialize(SqliteAsyncInvocationStore.Serialize(invocation))!;

        Assert.Equal((invocation.RequestId, invocation.FunctionName, invocation.FunctionArn, invocation.Qualifier, invocation.AcceptedAt, invocation.Caller, invocation.NextAttemptAt, invocation.Throttles),
            (copy.RequestId, copy.FunctionName, copy.FunctionArn, copy.Qualifier, copy.AcceptedAt, copy.Caller, copy.NextAttemptAt, copy.Throttles));
        Assert.Equal(invocation.Payload.ToArray(), copy.Payload.ToArray());
        var a = Assert.Single(copy.Attempts);
        Assert.Equal(invocation.Attempts[0] with { Response = default }, a with { Response = default });
        Assert.Equal(invocation.Attempts[0].Response.ToArray(), a.Response.ToArray());
    }
}

public class VirtualClockTests
{
    [Fact]
    public async Task Advance_FiresTimersInDueOrder_AndEndsAtTheTarget()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var time = new VirtualTimeProvider(start);
        var fired = new List<(string, DateTimeOffset)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.GetUtcNow())), null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.GetUtcNow())), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var never = time.CreateTimer(_ => fired.Add(("never", time.GetUtcNow())), null, TimeSpan.FromSeconds(100), Timeout.InfiniteTimeSpan);
        using var periodic = time.CreateTimer(_ => fired.Add(("tick", time.GetUtcNow())), null, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20));
        var clock = new VirtualClock(time, []);

        var result = await clock.AdvanceAsync(TimeSpan.FromSeconds(45));

        Assert.Equal([("early", start.AddSeconds(10)), ("tick", start.AddSeconds(20)), ("late", start.AddSeconds(30)), ("tick", start.AddSeconds(40))], fired);
        Assert.Equal((start, start.AddSeconds(45), 4, false), (result.From, result.To, result.TimersFired, result.Unsettled));
        Assert.Equal(start.AddSeconds(45), time.GetUtcNow());
        Assert.Equal(2, time.PendingTimers);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => clock.AdvanceAsync(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Advance_RunsARetrySchedule_InOneCall_WaitingForEachAttempt()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var h = await LambdaHarness.StartAsync(configureServices: s => s.AddVirtualClock(start));
        h.AddRule("article_rule", """{"sql":"SELECT * FROM 'iot/test'","actions":[{"lambda":{"functionArn":"invoke_test"}}]}""");
        var clock = h.Services.GetRequiredService<VirtualClock>();

        await h.PublishAsync("iot/test", "{}");
        var result = await clock.AdvanceAsync(TimeSpan.FromSeconds(180));

        // Each attempt ran, failed and scheduled the next one before the clock moved past it.
        Assert.Equal([start, start.AddSeconds(60), start.AddSeconds(180)], h.Records("invoke_test", CloudTrailRecord.InvokeExecutionEventName).Select(r => r.EventTime));
        Assert.False(result.Unsettled);
        Assert.Equal(start.AddSeconds(180), result.To);
        Assert.Equal(0, h.LambdaQueue().ScheduledRetries);
    }
}
