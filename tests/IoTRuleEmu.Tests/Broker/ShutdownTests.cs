using IoTRuleEmu.Broker;
using IoTRuleEmu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using Serilog.Events;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Broker;

/// <summary>Graceful shutdown: clients are disconnected first, work already accepted is finished.</summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task Stop_FinishesAcceptedMessages_AndDisconnectsClients()
    {
        const int Count = 500;
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.LogLevel = LogEventLevel.Warning;
            s.Rules["forward"] = """
                { "sql": "SELECT * FROM 'in/#'",
                  "actions": [ { "republish": { "roleArn": "arn:aws:iam::123456789012:role/r", "topic": "out/x" } } ] }
                """;
        });
        var publisher = await emu.ConnectAsync("pub");
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        using var counter = new AcceptedCounter(emu.Broker, m => m.Topic.StartsWith("in/", StringComparison.Ordinal));
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => publisher.PublishAsync($"in/{i}", $"{{\"n\":{i}}}")));
        await counter.WaitForAsync(Count);

        var publishedBeforeStop = emu.Services.GetRequiredService<MqttNetPublisher>().PublishedCount;
        await emu.StopAsync();
        output.WriteLine($"republished before stop: {publishedBeforeStop}, after stop: {emu.Services.GetRequiredService<MqttNetPublisher>().PublishedCount}");

        await disconnected.Task.WaitAsync(TestEmulator.Timeout);
        Assert.Equal(Count, emu.Services.GetRequiredService<MqttNetPublisher>().PublishedCount);
    }
}
