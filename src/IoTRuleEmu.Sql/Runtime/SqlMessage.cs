namespace IoTRuleEmu.Sql.Runtime;

/// <summary>One inbound message as the SQL sees it: the topic, the payload bytes and the message context.</summary>
public sealed class SqlMessage
{
    /// <summary>The topic as <c>topic()</c> sees it (a Basic Ingest <c>$aws/rules/&lt;rule&gt;</c> prefix already removed).</summary>
    public required string Topic { get; init; }

    /// <summary>The payload bytes exactly as published.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>MQTT client id; null for messages that did not arrive over MQTT (<c>clientid()</c> is then "n/a").</summary>
    public string? ClientId { get; init; }

    /// <summary>What <c>principal()</c> returns; Undefined when null.</summary>
    public string? Principal { get; init; }

    /// <summary>What <c>sourceip()</c> returns; Undefined when null.</summary>
    public string? SourceIp { get; init; }

    /// <summary>The message's trace id (<c>traceid()</c>); null (Undefined) for messages that did not arrive over MQTT.</summary>
    public string? TraceId { get; init; }

    /// <summary>When the rules engine received the message, epoch milliseconds: what <c>timestamp()</c> returns.</summary>
    public long TimestampMs { get; init; }

    /// <summary>The account that owns the rule (<c>accountid()</c>).</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>MQTT 5 properties of the PUBLISH, if any.</summary>
    public MqttProperties? Properties { get; init; }
}

/// <summary>The MQTT 5 publish properties that <c>get_mqtt_property</c> and <c>get_user_properties</c> read.</summary>
public sealed class MqttProperties
{
    /// <summary>The properties of a message, or null when it carries none (an MQTT 3.1.1 or plain MQTT 5 publish).</summary>
    public static MqttProperties? Create(
        string? contentType,
        bool? payloadIsUtf8,
        string? responseTopic,
        ReadOnlyMemory<byte>? correlationData,
        uint? messageExpiryInterval,
        IReadOnlyList<KeyValuePair<string, string>> userProperties)
    {
        ArgumentNullException.ThrowIfNull(userProperties);
        if (contentType is null && payloadIsUtf8 is null && responseTopic is null && correlationData is null
            && messageExpiryInterval is null && userProperties.Count == 0)
        {
            return null;
        }
        return new MqttProperties
        {
            ContentType = contentType,
            PayloadIsUtf8 = payloadIsUtf8,
            ResponseTopic = responseTopic,
            CorrelationData = correlationData,
            MessageExpiryInterval = messageExpiryInterval,
            UserProperties = userProperties,
        };
    }

    public string? ContentType { get; init; }

    /// <summary>Payload format indicator: null when absent, false = UNSPECIFIED_BYTES, true = UTF8_DATA.</summary>
    public bool? PayloadIsUtf8 { get; init; }

    public string? ResponseTopic { get; init; }

    public ReadOnlyMemory<byte>? CorrelationData { get; init; }

    /// <summary>Message expiry interval in seconds, if set.</summary>
    public uint? MessageExpiryInterval { get; init; }

    /// <summary>User properties in order; keys may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];
}
