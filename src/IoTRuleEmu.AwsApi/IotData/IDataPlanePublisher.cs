using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.AwsApi.IotData;

/// <summary>
/// Publishes for the IoT data plane (<c>aws iot-data publish</c>) and reads retained messages. The host implements it
/// over its broker: inject the message for subscribers (keeping it as retained when asked; an empty retained payload
/// clears the topic) AND feed it to the rules engine with <see cref="DataPlaneMessage.ToInboundMessage"/>, exactly once,
/// like an MQTT publish. Without a broker, <see cref="RulesEngineDataPlanePublisher"/> (the default) only does the latter
/// and keeps retained messages in memory.
/// </summary>
public interface IDataPlanePublisher
{
    ValueTask PublishAsync(DataPlaneMessage message, CancellationToken cancellationToken);

    /// <summary>The retained message of <paramref name="topic"/>, or null.</summary>
    ValueTask<RetainedMessage?> GetRetainedMessageAsync(string topic, CancellationToken cancellationToken);

    /// <summary>Every retained message (any order; the API sorts by topic).</summary>
    ValueTask<IReadOnlyList<RetainedMessage>> ListRetainedMessagesAsync(CancellationToken cancellationToken);
}

/// <summary>A message published through the HTTP data plane. It has no client id: rules see <c>clientid()</c> = "n/a" and <c>traceid()</c> Undefined.</summary>
public sealed record DataPlaneMessage
{
    /// <summary>The topic, URL-decoded.</summary>
    public required string Topic { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>0 or 1.</summary>
    public int Qos { get; init; }

    public bool Retain { get; init; }

    public string? ContentType { get; init; }

    /// <summary>null when absent, false = UNSPECIFIED_BYTES, true = UTF8_DATA.</summary>
    public bool? PayloadIsUtf8 { get; init; }

    public string? ResponseTopic { get; init; }

    public ReadOnlyMemory<byte>? CorrelationData { get; init; }

    /// <summary>Message expiry in seconds.</summary>
    public uint? MessageExpiryInterval { get; init; }

    /// <summary>MQTT 5 user properties in order (keys may repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];

    /// <summary>The HTTP caller's address (<c>sourceip()</c>).</summary>
    public string? SourceIp { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The message as the rules engine receives it: no client id, no trace id, depth 0.</summary>
    public InboundMessage ToInboundMessage() =>
        new()
        {
            Topic = Topic,
            Payload = Payload,
            Qos = Qos,
            Retain = Retain,
            ClientId = null,
            TraceId = null,
            SourceIp = SourceIp,
            ReceivedAt = ReceivedAt,
            RepublishDepth = 0,
            Properties = MqttProperties.Create(ContentType, PayloadIsUtf8, ResponseTopic, CorrelationData, MessageExpiryInterval, UserProperties),
        };
}

/// <summary>A retained message (GetRetainedMessage / ListRetainedMessages).</summary>
public sealed record RetainedMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    int Qos,
    DateTimeOffset LastModified,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties);
