using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Destinations;

/// <summary>
/// One delivery to an on-success/on-failure destination or a dead-letter queue, as <c>&lt;data&gt;/destinations.jsonl</c>
/// shows it: <c>{"time","kind","destination","requestId","functionName","condition","deliveredTo","body","messageAttributes"?,"error"?}</c>.
/// Every delivery is written there, including the ones also sent to SQS, SNS or a function; a destination whose service has
/// no endpoint is delivered only there (<c>"deliveredTo":"file"</c>).
/// </summary>
public sealed record DestinationLogRecord
{
    public const string OnSuccessKind = "onSuccess";
    public const string OnFailureKind = "onFailure";
    public const string DeadLetterKind = "deadLetter";

    public required DateTimeOffset Time { get; init; }

    /// <summary><c>onSuccess</c>, <c>onFailure</c> or <c>deadLetter</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The destination ARN.</summary>
    public required string Destination { get; init; }

    public required string RequestId { get; init; }

    public required string FunctionName { get; init; }

    /// <summary><c>Success</c>, <c>RetriesExhausted</c>, <c>EventAgeExceeded</c>, <c>ZeroReservedConcurrency</c>.</summary>
    public required string Condition { get; init; }

    /// <summary><c>lambda</c>, <c>sqs</c>, <c>sns</c> or <c>file</c>.</summary>
    public required string DeliveredTo { get; init; }

    /// <summary>The message: the invocation record (destinations) or the original event (DLQ).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>DLQ message attributes: name → (DataType, value).</summary>
    public IReadOnlyDictionary<string, (string DataType, string Value)>? MessageAttributes { get; init; }

    /// <summary>Why delivery failed (AWS: DestinationDeliveryFailures / DeadLetterErrors), if it did.</summary>
    public string? Error { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public byte[] ToJson() => JsonLine.Serialize(this, static (w, r) =>
    {
        w.WriteStartObject();
        JsonLine.WriteTime(w, "time", r.Time);
        w.WriteString("kind", r.Kind);
        w.WriteString("destination", r.Destination);
        w.WriteString("requestId", r.RequestId);
        w.WriteString("functionName", r.FunctionName);
        w.WriteString("condition", r.Condition);
        w.WriteString("deliveredTo", r.DeliveredTo);
        JsonLine.WriteJsonOrString(w, "body", r.Body.Span);
        if (r.MessageAttributes is not null)
        {
            w.WriteStartObject("messageAttributes");
            foreach (var (name, (type, value)) in r.MessageAttributes)
            {
                w.WriteStartObject(name);
                w.WriteString("dataType", type);
                w.WriteString("value", value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (r.Error is not null)
        {
            w.WriteString("error", r.Error);
        }
        w.WriteEndObject();
    });
}

/// <summary>Destination and DLQ deliveries: in memory (observable, awaitable) and in <c>&lt;data&gt;/destinations.jsonl</c>.</summary>
public interface IDestinationLog : IRecordLog<DestinationLogRecord>
{
}

public sealed partial class DestinationLog(IOptions<RuleEngineOptions> options, ILoggerFactory loggerFactory)
    : JsonLinesRecordLog<DestinationLogRecord>(options, loggerFactory, FileName, "IoTRuleEmu.Lambda.Destinations"), IDestinationLog
{
    public const string FileName = "destinations.jsonl";

    protected override byte[] Serialize(DestinationLogRecord record) => record.ToJson();

    protected override void LogRecord(DestinationLogRecord record, byte[] line) =>
        LogRecord(Logger, record.Kind, record.Destination, record.FunctionName, record.RequestId, record.Condition, record.DeliveredTo, record.Error);

    [LoggerMessage(EventIds.DestinationRecord, LogLevel.Information,
        "Lambda {Kind} delivery to {Destination} for {FunctionName} requestId {RequestId} ({Condition}) via {DeliveredTo} {Error}")]
    private static partial void LogRecord(ILogger logger, string kind, string destination, string functionName, string requestId, string condition, string deliveredTo, string? error);
}
