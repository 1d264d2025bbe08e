using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>The message-context functions of spec §3.4, sql_version and newuuid.</summary>
public class ContextFunctionsTests
{
    private static SqlMessage WithTopic(string topic) => new() { Topic = topic };

    [Theory]
    [InlineData("foo/bar/baz", "String:foo/bar/baz")]
    [InlineData("foo/bar/baz", "String:foo", "1")]
    [InlineData("foo/bar/baz", "String:bar", "2")]
    [InlineData("foo/bar/baz", "String:baz", "3")]
    [InlineData("foo/bar/baz", "Undefined", "4")]
    [InlineData("foo/bar/baz", "Undefined", "0")]
    [InlineData("foo/bar/baz", "Undefined", "-1")]
    [InlineData("foo/bar/baz", "String:bar", "\"2\"")]
    [InlineData("foo/bar/baz", "String:bar", "2.4")]
    [InlineData("foo/bar/baz", "Undefined", "\"two\"")]
    [InlineData("foo/bar/baz", "Undefined", "null")]
    [InlineData("foo/bar/baz", "Undefined", "undefined")]
    [InlineData("Buildings/Building5/Floor2/Room201/Lights", "String:Floor2", "3")]
    [InlineData("Buildings/Building5/Floor2/Room201/Lights", "String:Buildings/Building5/Floor2/Room201/Lights")]
    [InlineData("a//c", "String:", "2")]
    [InlineData("sensor/", "String:", "2")]
    public void Topic_Level(string topic, string expected, params string[] args) =>
        Assert.Equal(expected, Fn.EvalWith(WithTopic(topic), "topic", args));

    [Fact]
    public void ClientId_FromMessage_OrNaWhenNotMqtt()
    {
        Assert.Equal("String:client-1", Fn.EvalWith(Fn.DefaultMessage, "clientid"));
        Assert.Equal("String:n/a", Fn.EvalWith(new SqlMessage { Topic = "t" }, "clientid"));
    }

    [Fact]
    public void Principal_AccountId_SourceIp_TraceId()
    {
        Assert.Equal("String:abc123thumbprint", Fn.EvalWith(Fn.DefaultMessage, "principal"));
        Assert.Equal("String:111122223333", Fn.EvalWith(Fn.DefaultMessage, "accountid"));
        Assert.Equal("String:192.0.2.10", Fn.EvalWith(Fn.DefaultMessage, "sourceip"));
        Assert.Equal("String:5a5f6c08-7f1b-4b43-9a35-3a0c3e2a2b10", Fn.EvalWith(Fn.DefaultMessage, "traceid"));
        var bare = new SqlMessage { Topic = "t" };
        Assert.Equal("Undefined", Fn.EvalWith(bare, "principal"));
        Assert.Equal("String:123456789012", Fn.EvalWith(bare, "accountid"));
        Assert.Equal("Undefined", Fn.EvalWith(bare, "sourceip"));
        Assert.Equal("Undefined", Fn.EvalWith(bare, "traceid"));
    }

    private static readonly SqlMessage Mqtt5 = new()
    {
        Topic = "t",
        Properties = new MqttProperties
        {
            ContentType = "application/json",
            PayloadIsUtf8 = true,
            ResponseTopic = "reply/here",
            CorrelationData = new byte[] { 1, 2, 3, 255 },
            UserProperties = [new("k", "v1"), new("o", "ov"), new("k", "v2")],
        },
    };

    [Theory]
    [InlineData("\"content_type\"", "String:application/json")]
    [InlineData("\"format_indicator\"", "String:UTF8_DATA")]
    [InlineData("\"response_topic\"", "String:reply/here")]
    [InlineData("\"correlation_data\"", "String:AQID/w==")]
    [InlineData("\"message_expiry\"", "Undefined")]
    [InlineData("\"CONTENT_TYPE\"", "Undefined")]
    [InlineData("1", "Undefined")]
    [InlineData("null", "Undefined")]
    public void GetMqttProperty_Name(string name, string expected) =>
        Assert.Equal(expected, Fn.EvalWith(Mqtt5, "get_mqtt_property", name));

    [Fact]
    public void GetMqttProperty_AbsentProperties_AreUndefined()
    {
        var bytes = new SqlMessage { Topic = "t", Properties = new MqttProperties { PayloadIsUtf8 = false } };
        Assert.Equal("String:UNSPECIFIED_BYTES", Fn.EvalWith(bytes, "get_mqtt_property", "\"format_indicator\""));
        Assert.Equal("Undefined", Fn.EvalWith(bytes, "get_mqtt_property", "\"content_type\""));
        Assert.Equal("Undefined", Fn.EvalWith(bytes, "get_mqtt_property", "\"correlation_data\""));
        Assert.Equal("Undefined", Fn.EvalWith(bytes, "get_mqtt_property", "\"response_topic\""));
        Assert.Equal("Undefined", Fn.EvalWith(new SqlMessage { Topic = "t" }, "get_mqtt_property", "\"format_indicator\""));
    }

    [Theory]
    [InlineData("Array:[\"v1\",\"v2\"]", "\"k\"")]
    [InlineData("Array:[\"ov\"]", "\"o\"")]
    [InlineData("Undefined", "\"missing\"")]
    [InlineData("Undefined", "\"K\"")]
    [InlineData("Undefined", "null")]
    [InlineData("Array:[{\"k\":\"v1\"},{\"o\":\"ov\"},{\"k\":\"v2\"}]")]
    public void GetUserProperties_Key(string expected, params string[] args) =>
        Assert.Equal(expected, Fn.EvalWith(Mqtt5, "get_user_properties", args));

    [Fact]
    public void GetUserProperties_NoProperties_IsUndefined()
    {
        Assert.Equal("Undefined", Fn.EvalWith(new SqlMessage { Topic = "t" }, "get_user_properties"));
        Assert.Equal("Undefined", Fn.EvalWith(new SqlMessage { Topic = "t" }, "get_user_properties", "\"k\""));
    }

    [Theory]
    [InlineData(SqlVersion.V2015_10_08, "String:2015-10-08")]
    [InlineData(SqlVersion.V2016_03_23, "String:2016-03-23")]
    [InlineData(SqlVersion.Beta, "String:beta")]
    public void SqlVersion_IsRuleVersion(SqlVersion version, string expected) =>
        Assert.Equal(expected, Fn.Show(Fn.Call("sql_version", version, Fn.DefaultMessage, null)));

    [Fact]
    public void NewUuid_IsRandom36CharUuid()
    {
        var a = Fn.Call("newuuid", SqlVersion.V2015_10_08, Fn.DefaultMessage, null);
        var b = Fn.Call("newuuid", SqlVersion.V2015_10_08, Fn.DefaultMessage, null);
        Assert.Equal(SqlType.String, a.Type);
        Assert.Equal(36, a.AsString.Length);
        Assert.True(Guid.TryParseExact(a.AsString, "D", out _));
        Assert.Equal(a.AsString.ToLowerInvariant(), a.AsString);
        Assert.NotEqual(a.AsString, b.AsString);
    }

    [Theory]
    [InlineData("topic")]
    [InlineData("clientid")]
    [InlineData("principal")]
    [InlineData("accountid")]
    [InlineData("traceid")]
    [InlineData("sourceip")]
    [InlineData("timestamp")]
    [InlineData("get_mqtt_property")]
    [InlineData("get_user_properties")]
    [InlineData("sql_version")]
    [InlineData("newuuid")]
    [InlineData("rand")]
    public void MessageDependentFunctions_AreVolatile(string name) =>
        Assert.True(SqlFunctionRegistry.Find(name)!.Flags.HasFlag(SqlFunctionFlags.Volatile));
}
