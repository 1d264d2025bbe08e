using System.Text;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests.Async;

/// <summary><see cref="LambdaEmulatorOptions.MaxQueuedEvents"/>: a full queue makes Invoke wait (back-pressure), never drop.</summary>
public class QueueBoundTests
{
    private static InvokeRequest Event(int n) => new()
    {
        FunctionName = "slow",
        Payload = Encoding.UTF8.GetBytes("{\"n\":" + n + "}"),
        Caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"),
    };

    private static Task WaitForRunningAsync(EmulatorHarness h, int count) =>
        h.Logs.WaitForAsync(e => e.EventId.Id == EventIds.AttemptRunning && h.Logs.WithEventId(EventIds.AttemptRunning).Count >= count, h.Timeout);

    [Fact]
    public async Task FullQueue_MakesInvokeWait_UntilAnAttemptTakesAnEvent_AndLosesNothing()
    {
        // One attempt at a time, each sleeping 10 s on the fake clock; room for two accepted events.
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[{"name":"slow","behavior":"sleep","sleepSeconds":10,"timeout":60}]}
            """, configureLambda: o =>
        {
            o.MaxQueuedEvents = 2;
            o.MaxConcurrentExecutions = 1;
        });
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var first = await lambda.InvokeAsync(Event(0));
        Assert.Equal(202, first.StatusCode);
        await WaitForRunningAsync(h, 1);

        // The queue's reader takes at most one more event (then waits for the execution slot); two fit the bound.
        var calls = Enumerable.Range(1, 5).Select(i => lambda.InvokeAsync(Event(i)).AsTask()).ToList();
        var done = calls.Count(c => c.IsCompleted);
        Assert.InRange(done, 2, 3);
        Assert.Contains(h.Logs.WithEventId(EventIds.AsyncQueueFull), e => e.Level == Microsoft.Extensions.Logging.LogLevel.Debug);

        // Each finished attempt frees the slot, the reader takes the next event, and a waiting Invoke gets its room.
        for (var finished = 1; finished <= 5; finished++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            await WaitForRunningAsync(h, finished + 1);
        }
        var results = await Task.WhenAll(calls).WaitAsync(h.Timeout);
        Assert.All(results, r => Assert.Equal(202, r.StatusCode));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.SettleAsync();

        var attempts = h.Invocations().Snapshot();
        Assert.Equal(6, attempts.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => "{\"n\":" + i + "}").Order(), attempts.Select(a => a.EventText).Order());
    }

    [Fact]
    public async Task InvokeWaitingForRoom_WhenStopping_IsStillAccepted_AndStaysStored()
    {
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[{"name":"slow","behavior":"sleep","sleepSeconds":10,"timeout":60}]}
            """, configureLambda: o =>
        {
            o.MaxQueuedEvents = 1;
            o.MaxConcurrentExecutions = 1;
        });
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        await lambda.InvokeAsync(Event(0));
        await WaitForRunningAsync(h, 1);
        // Fill the queue until two Invokes wait: the reader may still take one event before it waits for the execution
        // slot, which gives one of them room, but not both.
        using var stopping = new CancellationTokenSource();
        var waiting = new List<Task<InvokeResult>>();
        var issued = 0;
        while (waiting.Count < 2 && issued < 12)
        {
            var call = lambda.InvokeAsync(Event(++issued), stopping.Token).AsTask();
            if (!call.IsCompleted)
            {
                waiting.Add(call);
            }
        }
        Assert.Equal(2, waiting.Count);

        await stopping.CancelAsync();
        var results = await Task.WhenAll(waiting).WaitAsync(h.Timeout);

        Assert.All(results, r => Assert.Equal(202, r.StatusCode));
        var deferredIds = h.Logs.WithEventId(EventIds.EventDeferred).Select(e => (string?)e["RequestId"]).ToHashSet();
        var deferred = results.Where(r => deferredIds.Contains(r.RequestId)).ToList();
        Assert.NotEmpty(deferred);
        var store = h.Services.GetRequiredService<IoTRuleEmu.Lambda.Persistence.IAsyncInvocationStore>();
        var stored = store.LoadPending().Select(e => e.RequestId).ToHashSet();
        Assert.All(deferred, r => Assert.Contains(r.RequestId, stored));

        // Let the queued events finish (one at a time, 10 s each), so that stopping need not wait for them; the deferred
        // ones stay stored for the next start.
        var runs = 1 + issued - deferred.Count;
        for (var finished = 1; finished <= runs; finished++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            if (finished < runs)
            {
                await WaitForRunningAsync(h, finished + 1);
            }
        }
        await h.SettleAsync();
        Assert.Equal(runs, h.Invocations().Snapshot().Count);
    }
}
