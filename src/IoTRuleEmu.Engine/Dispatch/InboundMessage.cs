using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// A message entering the rules engine: a client publish (through the broker or the HTTP Publish API) or a message a
/// republish action published. The engine's own type, so the engine does not depend on MQTTnet.
/// </summary>
public sealed record InboundMessage
{
    /// <summary>The topic as published, including a Basic Ingest <c>$aws/rules/&lt;ruleName&gt;/</c> prefix.</summary>
    public required string Topic { get; init; }

    /// <summary>The payload bytes exactly as published. The engine keeps a reference: never reuse the buffer.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    public int Qos { get; init; }

    public bool Retain { get; init; }

    /// <summary>The publisher's MQTT client id; null for messages that did not arrive over MQTT (<c>clientid()</c> = "n/a").</summary>
    public string? ClientId { get; init; }

    /// <summary>The publisher's IP address (<c>sourceip()</c>, error document <c>sourceIp</c>).</summary>
    public string? SourceIp { get; init; }

    /// <summary>What <c>principal()</c> returns.</summary>
    public string? Principal { get; init; }

    /// <summary>The message's trace id (<c>traceid()</c>). When null the engine makes one for logs and error documents.</summary>
    public string? TraceId { get; init; }

    /// <summary>MQTT 5 PUBLISH properties, if any.</summary>
    public MqttProperties? Properties { get; init; }

    /// <summary>When the broker received the message (from the TimeProvider): <c>timestamp()</c>.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>0 for client publishes; a republished message carries its source's depth + 1 (loop guard).</summary>
    public int RepublishDepth { get; init; }

    /// <summary>
    /// The message a republish action's <paramref name="message"/> becomes when it re-enters the rules engine:
    /// same topic, payload and MQTT 5 properties, no client id, and <see cref="RepublishDepth"/> from the outbound message.
    /// </summary>
    public static InboundMessage FromRepublish(OutboundMessage message, DateTimeOffset receivedAt, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new InboundMessage
        {
            Topic = message.Topic,
            Payload = message.Payload,
            Qos = message.Qos,
            Retain = message.Retain,
            TraceId = traceId ?? RandomGuid.NewString(),
            ReceivedAt = receivedAt,
            RepublishDepth = message.RepublishDepth,
            Properties = MqttProperties.Create(message.ContentType, message.PayloadIsUtf8, message.ResponseTopic,
                message.CorrelationData, message.MessageExpiryInterval, message.UserProperties),
        };
    }
}
