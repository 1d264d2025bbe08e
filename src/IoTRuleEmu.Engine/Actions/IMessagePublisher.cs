namespace IoTRuleEmu.Engine.Actions;

/// <summary>
/// Publishes a message to the broker's subscribers (the host implements it with MQTTnet's InjectApplicationMessage).
/// The implementation also feeds the message back into the rules engine, carrying <see cref="OutboundMessage.RepublishDepth"/>
/// (see <see cref="Dispatch.InboundMessage.FromRepublish"/>), so republished messages trigger rules like any other.
/// </summary>
public interface IMessagePublisher
{
    ValueTask PublishAsync(OutboundMessage message, CancellationToken cancellationToken);
}

/// <summary>A message a rule action publishes (republish), with its MQTT 5 properties.</summary>
public sealed record OutboundMessage
{
    /// <summary>The topic to publish to; a leading <c>$$</c> in the action's template has already become <c>$</c>.</summary>
    public required string Topic { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>0 or 1.</summary>
    public int Qos { get; init; }

    public bool Retain { get; init; }

    /// <summary>MQTT 5 payload format indicator: null = absent, false = UNSPECIFIED_BYTES, true = UTF8_DATA.</summary>
    public bool? PayloadIsUtf8 { get; init; }

    public string? ContentType { get; init; }

    public string? ResponseTopic { get; init; }

    public ReadOnlyMemory<byte>? CorrelationData { get; init; }

    /// <summary>Message expiry interval in seconds.</summary>
    public uint? MessageExpiryInterval { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];

    /// <summary>The republish depth the message carries when it re-enters the rules engine (the source message's depth + 1).</summary>
    public int RepublishDepth { get; init; }

    /// <summary>The rule whose action published this message.</summary>
    public string? SourceRuleName { get; init; }

    /// <summary>The trace id of the message that caused this publish.</summary>
    public string? SourceTraceId { get; init; }
}
