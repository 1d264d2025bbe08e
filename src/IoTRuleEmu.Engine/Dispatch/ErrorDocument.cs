using System.Buffers;
using System.Text.Json;
using IoTRuleEmu.Engine.Actions;

namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// Builds the document an error action receives (iot-sql.md §8.2): one per (rule, message), listing every failed action.
/// </summary>
public static class ErrorDocument
{
    private static readonly JsonWriterOptions s_options = new() { Indented = false };

    /// <summary>
    /// <c>{"ruleName","topic","cloudwatchTraceId","clientId","sourceIp","base64OriginalPayload","failures":[{"failedAction","failedResource","errorMessage"}]}</c>.
    /// <c>clientId</c> is "n/a" for messages that did not come over MQTT; <c>sourceIp</c> is left out when unknown.
    /// </summary>
    public static byte[] Build(string ruleName, InboundMessage message, string traceId, IReadOnlyList<ActionFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failures);
        var buffer = new ArrayBufferWriter<byte>(256 + message.Payload.Length * 4 / 3);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            writer.WriteStartObject();
            writer.WriteString("ruleName", ruleName);
            writer.WriteString("topic", message.Topic);
            writer.WriteString("cloudwatchTraceId", traceId);
            writer.WriteString("clientId", message.ClientId ?? "n/a");
            if (message.SourceIp is not null)
            {
                writer.WriteString("sourceIp", message.SourceIp);
            }
            writer.WriteBase64String("base64OriginalPayload", message.Payload.Span);
            writer.WriteStartArray("failures");
            foreach (var failure in failures)
            {
                writer.WriteStartObject();
                writer.WriteString("failedAction", failure.FailedAction);
                if (failure.FailedResource is not null)
                {
                    writer.WriteString("failedResource", failure.FailedResource);
                }
                writer.WriteString("errorMessage", failure.ErrorMessage);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
