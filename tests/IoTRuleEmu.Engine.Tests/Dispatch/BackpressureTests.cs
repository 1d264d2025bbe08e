using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Engine.Tests.Dispatch;

public class BackpressureTests
{
    [Fact]
    public async Task SlowAction_DoesNotBlockOtherRulesOrLaterMessages()
    {
        var actions = new RecordingActionFactory("lambda");
        await using var h = await EmulatorHarness.StartAsync(
            services => services.AddSingleton<IRuleActionFactory>(actions),
            configureEngine: o => o.WorkerCount = 1);
        h.AddRule("slow", """{"sql":"SELECT * FROM 'shared'","actions":[{"lambda":{"target":"slow","block":true}}]}""");
        h.AddRule("fast", """{"sql":"SELECT * FROM 'shared'","actions":[{"lambda":{"target":"fast"}}]}""");
        h.AddRule("later", """{"sql":"SELECT * FROM 'next'","actions":[{"lambda":{"target":"later"}}]}""");

        Assert.True(h.Engine.TryEnqueue(h.Message("shared", "{}")));
        Assert.True(h.Engine.TryEnqueue(h.Message("next", "{}")));

        // With a single worker, both the other rule of the same message and the next message complete
        // while the slow action is still running.
        await actions.WaitForAsync(e => e.Target == "fast", h.Timeout);
        await actions.WaitForAsync(e => e.Target == "later", h.Timeout);
        Assert.Equal(1, Volatile.Read(ref actions.BlockedStarted));
        Assert.DoesNotContain(actions.Executions, e => e.Target == "slow");
        Assert.False(h.Engine.WhenIdleAsync().IsCompleted);

        actions.Release();
        await h.Engine.WhenIdleAsync(h.Timeout);
        Assert.Contains(actions.Executions, e => e.Target == "slow");
    }

    [Fact]
    public async Task FullChannel_RejectsWithoutBlocking_AndLogs()
    {
        var actions = new RecordingActionFactory("lambda");
        await using var h = await EmulatorHarness.StartAsync(
            services => services.AddSingleton<IRuleActionFactory>(actions),
            configureEngine: o => o.ChannelCapacity = 2,
            start: false);
        h.AddRule("r", """{"sql":"SELECT * FROM 'q'","actions":[{"lambda":{"target":"t"}}]}""");

        // Workers not started: the channel fills up.
        Assert.True(h.Engine.TryEnqueue(h.Message("q", """{"n":1}""")));
        Assert.True(h.Engine.TryEnqueue(h.Message("q", """{"n":2}""")));
        Assert.False(h.Engine.TryEnqueue(h.Message("q", """{"n":3}""")));
        var full = Assert.Single(h.Logs.WithEventId(EventIds.ChannelFull));
        Assert.Equal(2, full["Capacity"]);

        // EnqueueAsync waits for room instead.
        var waiting = h.Engine.EnqueueAsync(h.Message("q", """{"n":4}"""), h.Timeout).AsTask();
        Assert.False(waiting.IsCompleted);

        await h.StartHostedServicesAsync();
        await waiting;
        await h.SettleAsync();
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":4}"""], actions.Executions.Select(e => e.PayloadText).Order(StringComparer.Ordinal));
    }
}
