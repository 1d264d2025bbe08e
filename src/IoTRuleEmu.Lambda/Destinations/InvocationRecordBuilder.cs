using System.Buffers;
using System.Text.Json;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Lambda.Async;

namespace IoTRuleEmu.Lambda.Destinations;

/// <summary>
/// Builds the invocation record destinations receive (lambda-async.md §1.6):
/// <c>{"version":"1.0","timestamp","requestContext":{"requestId","functionArn","condition","approximateInvokeCount"},
/// "requestPayload","responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError"?},"responsePayload"}</c>.
/// No <c>responseContext</c>/<c>responsePayload</c> when the function never ran (ZeroReservedConcurrency, or aged out
/// while throttled).
/// </summary>
public static class InvocationRecordBuilder
{
    public static byte[] Build(AsyncInvocation invocation, AsyncInvocationCondition condition, DateTimeOffset timestamp, bool includePayloads = true)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var last = invocation.Attempts.Count > 0 ? invocation.Attempts[^1] : null;
        var buffer = new ArrayBufferWriter<byte>(512 + invocation.Payload.Length + (last?.Response.Length ?? 0));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            JsonLine.WriteTime(w, "timestamp", timestamp);
            w.WriteStartObject("requestContext");
            w.WriteString("requestId", invocation.RequestId);
            w.WriteString("functionArn", invocation.FunctionArn + ":" + (invocation.Qualifier ?? "$LATEST"));
            w.WriteString("condition", condition.ToString());
            w.WriteNumber("approximateInvokeCount", invocation.Attempts.Count);
            w.WriteEndObject();
            if (includePayloads)
            {
                w.WritePropertyName("requestPayload");
                JsonLine.WriteJsonOrStringValue(w, invocation.Payload.Span);
            }
            if (last is not null)
            {
                w.WriteStartObject("responseContext");
                w.WriteNumber("statusCode", 200);
                w.WriteString("executedVersion", "$LATEST");
                if (last.Outcome == AttemptOutcome.Unhandled)
                {
                    w.WriteString("functionError", "Unhandled");
                }
                w.WriteEndObject();
                if (includePayloads)
                {
                    // A non-JSON response is passed on as a string, an empty one as null.
                    w.WritePropertyName("responsePayload");
                    JsonLine.WriteJsonOrStringValue(w, last.Response.Span, emptyAsNull: true);
                }
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
