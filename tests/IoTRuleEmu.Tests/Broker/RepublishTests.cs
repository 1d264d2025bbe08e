using System.Text;
using IoTRuleEmu.Tests.Infrastructure;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Broker;

/// <summary>Republish: a rule's output reaches subscribers, and a republished message triggers rules again.</summary>
public sealed class RepublishTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task Republish_RoundTrip_ToSubscriber_AndChainsThroughRules()
    {
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.Rules["first"] = """
                { "sql": "SELECT temp * 2 AS doubled, topic() AS source FROM 'devices/+/telemetry' WHERE temp > 0",
                  "actions": [ { "republish": { "roleArn": "arn:aws:iam::123456789012:role/r", "topic": "processed/${topic(2)}", "qos": 1 } } ] }
                """;
            s.Rules["second"] = """
                { "sql": "SELECT doubled + 1 AS plusOne FROM 'processed/#'",
                  "actions": [ { "republish": { "roleArn": "arn:aws:iam::123456789012:role/r", "topic": "final/out" } } ] }
                """;
        });
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("processed/#", "final/#");
        var publisher = await emu.ConnectAsync("dev-1");

        await publisher.PublishAsync("devices/dev-1/telemetry", "{\"temp\": 21}");

        var processed = await inbox.WaitForTopicAsync("processed/dev-1");
        Assert.Equal("{\"doubled\":42,\"source\":\"devices/dev-1/telemetry\"}", Encoding.UTF8.GetString(processed.Payload));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, processed.QualityOfServiceLevel);
        var final = await inbox.WaitForTopicAsync("final/out");
        Assert.Equal("{\"plusOne\":43}", Encoding.UTF8.GetString(final.Payload));
    }
}
