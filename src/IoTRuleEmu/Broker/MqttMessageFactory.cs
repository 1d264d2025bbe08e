using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRuleEmu.Broker;

/// <summary>Builds the MQTTnet message for what the emulator publishes itself (republish actions, HTTP Publish).</summary>
internal static class MqttMessageFactory
{
    public static MqttApplicationMessage Create(
        string topic,
        ReadOnlyMemory<byte> payload,
        int qos,
        bool retain,
        string? contentType,
        bool? payloadIsUtf8,
        string? responseTopic,
        ReadOnlyMemory<byte>? correlationData,
        uint? messageExpiryInterval,
        IReadOnlyList<KeyValuePair<string, string>> userProperties) => new()
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = qos >= 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce,
            Retain = retain,
            ContentType = contentType,
            PayloadFormatIndicator = payloadIsUtf8 == true ? MqttPayloadFormatIndicator.CharacterData : MqttPayloadFormatIndicator.Unspecified,
            ResponseTopic = responseTopic,
            CorrelationData = correlationData?.ToArray(),
            MessageExpiryInterval = messageExpiryInterval ?? 0,
            UserProperties = userProperties.Count == 0
                ? null
                : userProperties.Select(p => new MqttUserProperty(p.Key, new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(p.Value)))).ToList(),
        };
}
