using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Lambda.Invocations;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary><c>aws iot-data</c>: Publish into the rules (like an MQTT publish without a client id) and retained messages.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class IotDataCliTests(SharedEmulator shared)
{
    private readonly ApiEmulator _emu = shared.Emulator;

    private Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(_emu.Endpoint, args);

    [Fact]
    public async Task Publish_EntersTheRules_WithMqtt5PropertiesAndNoClientId()
    {
        var sql = "SELECT *, clientid() AS cid, traceid() AS tid, topic() AS t, get_mqtt_property('content_type') AS ct, " +
            "get_mqtt_property('correlation_data') AS cd, get_user_properties('deviceName') AS dn FROM 'data/+/telemetry'";
        var payload = JsonSerializer.Serialize(new
        {
            sql,
            awsIotSqlVersion = "2016-03-23",
            actions = new[] { new { lambda = new { functionArn = "arn:aws:lambda:us-east-1:123456789012:function:sink_fn" } } },
        });
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "data_publish_rule", "--topic-rule-payload", payload)).ExitCode);

        var correlation = Convert.ToBase64String(Encoding.UTF8.GetBytes("corr-1"));
        var publish = await Aws("iot-data", "publish", "--topic", "data/dev1/telemetry", "--qos", "1",
            "--payload", "{\"temp\":21}", "--content-type", "application/json", "--correlation-data", correlation,
            "--user-properties", "[{\"deviceName\":\"alpha\"},{\"deviceCnt\":\"45\"}]");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal("", publish.Stdout);

        var log = _emu.Services.GetRequiredService<IInvocationLog>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var record = await log.WaitForAsync(r => r.FunctionName == "sink_fn" && r.EventText.Contains("data/dev1/telemetry", StringComparison.Ordinal), cts.Token);
        var evt = JsonDocument.Parse(record.EventText).RootElement;
        Assert.Equal(21, evt.GetProperty("temp").GetInt32());
        Assert.Equal("n/a", evt.GetProperty("cid").GetString());
        Assert.False(evt.TryGetProperty("tid", out _), "traceid() is Undefined for HTTP publishes");
        Assert.Equal("data/dev1/telemetry", evt.GetProperty("t").GetString());
        Assert.Equal("application/json", evt.GetProperty("ct").GetString());
        Assert.Equal(correlation, evt.GetProperty("cd").GetString());
        Assert.Equal("alpha", evt.GetProperty("dn")[0].GetString());
        Assert.Equal("data_publish_rule", record.RuleName);
    }

    [Fact]
    public async Task Publish_Retained_ThenGetAndListRetainedMessages()
    {
        var publish = await Aws("iot-data", "publish", "--topic", "retained/a", "--retain", "--payload", "hello",
            "--user-properties", "[{\"k\":\"v\"}]");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "retained/b", "--retain", "--qos", "1", "--payload", "world")).ExitCode);

        var get = await Aws("iot-data", "get-retained-message", "--topic", "retained/a");
        Assert.True(get.ExitCode == 0, get.ToString());
        var json = get.Json;
        Assert.Equal("retained/a", json.GetProperty("topic").GetString());
        Assert.Equal("hello", Encoding.UTF8.GetString(Convert.FromBase64String(json.GetProperty("payload").GetString()!)));
        Assert.Equal(0, json.GetProperty("qos").GetInt32());
        Assert.True(json.GetProperty("lastModifiedTime").GetInt64() > 0);
        Assert.Equal("[{\"k\":\"v\"}]", Encoding.UTF8.GetString(Convert.FromBase64String(json.GetProperty("userProperties").GetString()!)));

        var list = (await Aws("iot-data", "list-retained-messages")).Json.GetProperty("retainedTopics");
        var b = list.EnumerateArray().Single(m => m.GetProperty("topic").GetString() == "retained/b");
        Assert.Equal(5, b.GetProperty("payloadSize").GetInt64());
        Assert.Equal(1, b.GetProperty("qos").GetInt32());

        // An empty retained publish clears the topic.
        Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "retained/b", "--retain")).ExitCode);
        AwsAssert.CliError(await Aws("iot-data", "get-retained-message", "--topic", "retained/b"), "ResourceNotFoundException", "GetRetainedMessage");
    }

    [Fact]
    public async Task Publish_InvalidQosOrWildcardTopic_IsInvalidRequestException()
    {
        AwsAssert.CliError(await Aws("iot-data", "publish", "--topic", "x/y", "--qos", "2", "--payload", "{}"),
            "InvalidRequestException", "Publish", "qos");
        AwsAssert.CliError(await Aws("iot-data", "publish", "--topic", "x/+", "--payload", "{}"),
            "InvalidRequestException", "Publish", "wildcard");
        AwsAssert.CliError(await Aws("iot-data", "publish", "--topic", "x/y", "--payload", "{}", "--user-properties", "{\"notAnArray\":1}"),
            "InvalidRequestException", "Publish", "userProperties");
    }
}
