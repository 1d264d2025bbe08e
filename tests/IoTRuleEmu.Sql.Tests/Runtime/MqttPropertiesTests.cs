using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Runtime;

public class MqttPropertiesTests
{
    [Fact]
    public void Create_WithNothingSet_IsNull() =>
        Assert.Null(MqttProperties.Create(null, null, null, null, null, []));

    [Fact]
    public void Create_WithAnyPropertySet_KeepsEveryValue()
    {
        Assert.NotNull(MqttProperties.Create(null, false, null, null, null, []));
        Assert.NotNull(MqttProperties.Create(null, null, null, null, null, [new("k", "v")]));
        var p = MqttProperties.Create("text/plain", true, "reply/to", new byte[] { 1, 2 }, 30, [new("k", "v1"), new("k", "v2")])!;
        Assert.Equal("text/plain", p.ContentType);
        Assert.True(p.PayloadIsUtf8);
        Assert.Equal("reply/to", p.ResponseTopic);
        Assert.Equal(new byte[] { 1, 2 }, p.CorrelationData!.Value.ToArray());
        Assert.Equal(30u, p.MessageExpiryInterval);
        Assert.Equal(["v1", "v2"], p.UserProperties.Select(u => u.Value));
    }
}
