using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IoTRuleEmu.Broker;
using IoTRuleEmu.Hosting;
using IoTRuleEmu.Options;
using IoTRuleEmu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Serilog.Events;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Broker;

/// <summary>The MQTT broker in-process: real Kestrel on loopback, real MQTTnet clients.</summary>
public sealed class BrokerTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task EmptyClientId_Mqtt5_GetsAnAssignedId()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var client = await emu.ConnectAsync(clientId: "", MqttProtocolVersion.V500);
        Assert.True(client.IsConnected);
        using var counter = new AcceptedCounter(emu.Broker);
        await client.PublishAsync("t/empty-id", "{}");
        await counter.WaitForAsync(1);
        Assert.StartsWith("iotruleemu-", counter.Seen[0].ClientId, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task EmptyClientId_Mqtt311_IsAccepted()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var client = await emu.ConnectAsync(clientId: "", MqttProtocolVersion.V311);
        Assert.True(client.IsConnected);
        using var counter = new AcceptedCounter(emu.Broker);
        await client.PublishAsync("t/empty-id", "{}");
        await counter.WaitForAsync(1);
        Assert.StartsWith("iotruleemu-", counter.Seen[0].ClientId, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task PayloadOverLimit_DisconnectsPublisher_AndReachesNobody()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("big/#", "marker");
        var publisher = await emu.ConnectAsync("pub");
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
        using var counter = new AcceptedCounter(emu.Broker);

        // Exactly at the limit: accepted.
        var atLimit = await publisher.PublishAsync("big/ok", new byte[MqttBroker.MaxPayloadBytes]);
        Assert.True(atLimit.IsSuccess || atLimit.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers);
        await inbox.WaitForTopicAsync("big/ok");

        // One byte over: refused, publisher disconnected.
        var rejected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        emu.Broker.PayloadRejected += (_, _, size) => rejected.TrySetResult(size);
        var tooBig = publisher.PublishAsync("big/too", new byte[MqttBroker.MaxPayloadBytes + 1]);
        Assert.Equal(MqttBroker.MaxPayloadBytes + 1, await rejected.Task.WaitAsync(TestEmulator.Timeout));
        await disconnected.Task.WaitAsync(TestEmulator.Timeout);
        await Assert.ThrowsAnyAsync<Exception>(() => tooBig);
        Assert.False(publisher.IsConnected);

        // Nothing of it reached a subscriber or the rules engine (checked after a later message went through).
        var other = await emu.ConnectAsync("pub2");
        await other.PublishAsync("marker", "m");
        await inbox.WaitForTopicAsync("marker");
        Assert.DoesNotContain(inbox.Messages, m => m.Topic == "big/too");
        Assert.DoesNotContain(counter.Seen, m => m.Topic == "big/too");
        Assert.Contains(emu.Sink.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("131073 bytes", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task BasicIngest_GoesToTheEngine_NotToSubscribers()
    {
        await using var emu = await TestEmulator.StartAsync(output, s => s.Rules["myRule"] = """{ "sql": "SELECT * FROM 'not/used'", "actions": [] }""");
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("#", "$aws/rules/#", "$aws/rules/myRule/a/b", "marker");
        var publisher = await emu.ConnectAsync("pub");
        using var counter = new AcceptedCounter(emu.Broker);

        await publisher.PublishAsync("$aws/rules/myRule/a/b", "{\"x\":1}");
        await publisher.PublishAsync("marker", "m");
        await inbox.WaitForTopicAsync("marker");
        await counter.WaitForAsync(2);

        Assert.DoesNotContain(inbox.Messages, m => m.Topic.StartsWith("$aws/", StringComparison.Ordinal));
        Assert.Contains(counter.Seen, m => m.Topic == "$aws/rules/myRule/a/b" && Encoding.UTF8.GetString(m.Payload.Span) == "{\"x\":1}");
    }

    [Fact(Timeout = 60_000)]
    public async Task RetainedMessage_ReachesALaterSubscriber()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var publisher = await emu.ConnectAsync("pub");
        await publisher.PublishAsync("state/lamp", "{\"on\":true}", retain: true);

        var subscriber = await emu.ConnectAsync("late");
        var inbox = await subscriber.SubscribeInboxAsync("state/#");
        var message = await inbox.WaitForTopicAsync("state/lamp");
        Assert.Equal("{\"on\":true}", Encoding.UTF8.GetString(message.Payload));
        Assert.True(message.Retain);
    }

    [Fact(Timeout = 60_000)]
    public async Task WebSocket_ConnectAndPublish_ReachesTcpSubscriberAndEngine()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var tcpSubscriber = await emu.ConnectAsync("tcp-sub");
        var inbox = await tcpSubscriber.SubscribeInboxAsync("ws/#");
        using var counter = new AcceptedCounter(emu.Broker);

        var wsClient = await emu.ConnectAsync("ws-client", MqttProtocolVersion.V311, webSocket: true);
        Assert.True(wsClient.IsConnected);
        await wsClient.PublishAsync("ws/hello", "{\"via\":\"websocket\"}");

        var message = await inbox.WaitForTopicAsync("ws/hello");
        Assert.Equal("{\"via\":\"websocket\"}", Encoding.UTF8.GetString(message.Payload));
        await counter.WaitForAsync(1);
        Assert.Equal("ws-client", counter.Seen[0].ClientId);

        // And the other way round: a WebSocket subscriber gets a TCP publish.
        var wsInbox = await wsClient.SubscribeInboxAsync("back/#");
        await tcpSubscriber.PublishAsync("back/1", "b");
        await wsInbox.WaitForTopicAsync("back/1");
    }

    [Fact(Timeout = 180_000)]
    public async Task Qos1_10000Messages_NoLoss()
    {
        const int Count = 10_000;
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.LogLevel = LogEventLevel.Warning;
            s.Rules["load_rule"] = """{ "sql": "SELECT * FROM 'load/#'", "actions": [] }""";
        });
        var subscriber = await emu.ConnectAsync("load-sub");
        var inbox = await subscriber.SubscribeInboxAsync("load/#");
        var publisher = await emu.ConnectAsync("load-pub");
        using var counter = new AcceptedCounter(emu.Broker, m => m.Topic.StartsWith("load/", StringComparison.Ordinal));

        var stopwatch = Stopwatch.StartNew();
        // Keep up to 100 publishes in flight (the client pipelines them; each completes on its PUBACK).
        var inFlight = new List<Task<MqttClientPublishResult>>(100);
        for (var i = 0; i < Count; i++)
        {
            inFlight.Add(publisher.PublishAsync($"load/{i % 10}", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}")));
            if (inFlight.Count == 100)
            {
                foreach (var r in await Task.WhenAll(inFlight))
                {
                    Assert.True(r.IsSuccess, r.ReasonCode.ToString());
                }
                inFlight.Clear();
            }
        }
        foreach (var r in await Task.WhenAll(inFlight))
        {
            Assert.True(r.IsSuccess, r.ReasonCode.ToString());
        }
        var published = stopwatch.Elapsed;

        await counter.WaitForAsync(Count, TimeSpan.FromSeconds(120));
        await inbox.WaitForAsync(m => m.Topic.StartsWith("load/", StringComparison.Ordinal), Count).WaitAsync(TimeSpan.FromSeconds(120));
        var delivered = stopwatch.Elapsed;
        await emu.Services.GetRequiredService<IoTRuleEmu.Engine.Dispatch.IRuleEngine>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var evaluated = stopwatch.Elapsed;
        output.WriteLine($"10,000 QoS 1 messages: all PUBACKs after {published.TotalMilliseconds:F0} ms, all delivered to the subscriber and the engine after {delivered.TotalMilliseconds:F0} ms, engine idle after {evaluated.TotalMilliseconds:F0} ms");

        Assert.Equal(Count, counter.Count);
        var numbers = counter.Seen.Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToHashSet();
        Assert.Equal(Count, numbers.Count);
        Assert.Equal(0, emu.Broker.DroppedCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task PortInUse_StartFails_NamingThePort()
    {
        using var blocker = new TcpListener(IPAddress.Any, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var options = new EmulatorOptions
        {
            MqttPort = port,
            HttpPort = 0,
            RulesDirectory = Path.Combine(Path.GetTempPath(), "iotruleemu-no-rules-" + Guid.NewGuid().ToString("N")),
            FunctionsFile = Path.Combine(Path.GetTempPath(), "iotruleemu-no-functions.json"),
            DataDirectory = Path.Combine(Path.GetTempPath(), "iotruleemu-data-" + Guid.NewGuid().ToString("N")),
        };
        await using var app = EmulatorApp.Build(options, new HostCustomization { WriteToConsole = false });
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        var message = EmulatorApp.DescribeStartFailure(ex, options);
        output.WriteLine(message);
        Assert.Contains($"MQTT port {port} (--mqtt-port)", message, StringComparison.Ordinal);
        Assert.Contains("already in use", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task HealthAndReady_Answer200_OnceStarted()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{emu.HttpPort}"), Timeout = TestEmulator.Timeout };
        var health = await http.GetAsync("/_emulator/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var ready = await http.GetAsync("/_emulator/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"ready\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
