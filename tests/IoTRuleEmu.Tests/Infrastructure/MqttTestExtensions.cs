using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTRuleEmu.Tests.Infrastructure;

/// <summary>Small helpers around the MQTTnet client.</summary>
public static class MqttTestExtensions
{
    public static Task<MqttClientPublishResult> PublishAsync(
        this IMqttClient client, string topic, byte[] payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false)
    {
        using var cts = new CancellationTokenSource(TestEmulator.Timeout);
        return client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build(),
            cts.Token);
    }

    public static Task<MqttClientPublishResult> PublishAsync(
        this IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false) =>
        client.PublishAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), qos, retain);

    /// <summary>Subscribes and returns an inbox that collects every message the client receives from now on.</summary>
    public static async Task<Inbox> SubscribeInboxAsync(this IMqttClient client, params string[] topicFilters)
    {
        var inbox = new Inbox();
        client.ApplicationMessageReceivedAsync += e =>
        {
            inbox.Add(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var options = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in topicFilters)
        {
            options.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }
        using var cts = new CancellationTokenSource(TestEmulator.Timeout);
        await client.SubscribeAsync(options.Build(), cts.Token);
        return inbox;
    }
}

/// <summary>Messages a test client received, with waits that complete on arrival (no polling).</summary>
public sealed class Inbox
{
    private readonly Lock _lock = new();
    private readonly List<MqttApplicationMessage> _messages = [];
    private readonly List<(Func<MqttApplicationMessage, bool> Match, int Count, TaskCompletionSource<IReadOnlyList<MqttApplicationMessage>> Done)> _waiters = [];

    public IReadOnlyList<MqttApplicationMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _messages.Count;
            }
        }
    }

    internal void Add(MqttApplicationMessage message)
    {
        List<(TaskCompletionSource<IReadOnlyList<MqttApplicationMessage>>, IReadOnlyList<MqttApplicationMessage>)>? done = null;
        lock (_lock)
        {
            _messages.Add(message);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var w = _waiters[i];
                var matching = _messages.Where(w.Match).ToList();
                if (matching.Count >= w.Count)
                {
                    (done ??= []).Add((w.Done, matching));
                    _waiters.RemoveAt(i);
                }
            }
        }
        done?.ForEach(d => d.Item1.TrySetResult(d.Item2));
    }

    /// <summary>Waits until at least <paramref name="count"/> received messages match; returns all matching ones.</summary>
    public Task<IReadOnlyList<MqttApplicationMessage>> WaitForAsync(Func<MqttApplicationMessage, bool> match, int count = 1)
    {
        lock (_lock)
        {
            var matching = _messages.Where(match).ToList();
            if (matching.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<MqttApplicationMessage>>(matching);
            }
            var tcs = new TaskCompletionSource<IReadOnlyList<MqttApplicationMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, count, tcs));
            return tcs.Task.WaitAsync(TestEmulator.Timeout);
        }
    }

    public async Task<MqttApplicationMessage> WaitForTopicAsync(string topic) =>
        (await WaitForAsync(m => string.Equals(m.Topic, topic, StringComparison.Ordinal)))[0];
}

/// <summary>Counts messages the broker handed to the rules engine, with a wait for a target count.</summary>
public sealed class AcceptedCounter : IDisposable
{
    private readonly IoTRuleEmu.Broker.MqttBroker _broker;
    private readonly Func<IoTRuleEmu.Engine.Dispatch.InboundMessage, bool> _match;
    private readonly ConcurrentQueue<IoTRuleEmu.Engine.Dispatch.InboundMessage> _seen = new();
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _count;

    public AcceptedCounter(IoTRuleEmu.Broker.MqttBroker broker, Func<IoTRuleEmu.Engine.Dispatch.InboundMessage, bool>? match = null)
    {
        _broker = broker;
        _match = match ?? (_ => true);
        broker.MessageAccepted += OnAccepted;
    }

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<IoTRuleEmu.Engine.Dispatch.InboundMessage> Seen => [.. _seen];

    private void OnAccepted(IoTRuleEmu.Engine.Dispatch.InboundMessage message)
    {
        if (!_match(message))
        {
            return;
        }
        _seen.Enqueue(message);
        var n = Interlocked.Increment(ref _count);
        lock (_lock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (n >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        lock (_lock)
        {
            if (Count >= count)
            {
                return Task.CompletedTask;
            }
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, tcs));
            return tcs.Task.WaitAsync(timeout ?? TestEmulator.Timeout);
        }
    }

    public void Dispose() => _broker.MessageAccepted -= OnAccepted;
}
