using System.Buffers;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Sql.Runtime;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRuleEmu.Broker;

/// <summary>Turns an MQTTnet application message into the engine's <see cref="InboundMessage"/> (copying the payload).</summary>
internal static class InboundMessageMapper
{
    public static InboundMessage FromMqtt(
        MqttApplicationMessage message, string? clientId, string? sourceIp, string? principal, DateTimeOffset receivedAt) =>
        new()
        {
            Topic = message.Topic,
            // MQTTnet hands over a fresh buffer per message, but copy anyway: the engine keeps it past this call.
            Payload = message.Payload.ToArray(),
            Qos = (int)message.QualityOfServiceLevel,
            Retain = message.Retain,
            ClientId = clientId,
            SourceIp = sourceIp,
            Principal = principal,
            Properties = Properties(message),
            ReceivedAt = receivedAt,
            RepublishDepth = 0,
        };

    /// <summary>The MQTT 5 properties of <paramref name="message"/>, or null when it carries none.</summary>
    public static MqttProperties? Properties(MqttApplicationMessage message) =>
        MqttProperties.Create(
            message.ContentType,
            // MQTTnet cannot tell an absent indicator from UNSPECIFIED_BYTES (0); report only UTF8_DATA.
            message.PayloadFormatIndicator == MqttPayloadFormatIndicator.CharacterData ? true : null,
            message.ResponseTopic,
            message.CorrelationData is null ? null : new ReadOnlyMemory<byte>(message.CorrelationData),
            message.MessageExpiryInterval == 0 ? null : message.MessageExpiryInterval,
            message.UserProperties is { Count: > 0 } props
                ? props.Select(p => new KeyValuePair<string, string>(p.Name, p.ReadValueAsString())).ToArray()
                : []);
}
