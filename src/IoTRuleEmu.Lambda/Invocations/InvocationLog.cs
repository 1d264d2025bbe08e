using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Invocations;

/// <summary>
/// One execution attempt as <c>invocations.jsonl</c> shows it:
/// <c>{"time","requestId","functionName","functionArn","attempt","event","outcome","errorMessage","ruleName"}</c>.
/// </summary>
public sealed record InvocationLogRecord
{
    public const string SuccessOutcome = "Success";
    public const string UnhandledOutcome = "Unhandled";

    public required DateTimeOffset Time { get; init; }

    public required string RequestId { get; init; }

    public required string FunctionName { get; init; }

    /// <summary>Unqualified function ARN.</summary>
    public required string FunctionArn { get; init; }

    /// <summary>1-based attempt number.</summary>
    public required int Attempt { get; init; }

    /// <summary>The event as the function received it (JSON bytes).</summary>
    public ReadOnlyMemory<byte> Event { get; init; }

    /// <summary>The writer of the record has checked that <see cref="Event"/> is one JSON value (or empty).</summary>
    public bool EventIsValidJson { get; init; }

    /// <summary><c>Success</c> or <c>Unhandled</c>.</summary>
    public required string Outcome { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>The rule whose action caused the invocation, when one did.</summary>
    public string? RuleName { get; init; }

    public bool Succeeded => Outcome == SuccessOutcome;

    /// <summary>The event as text.</summary>
    public string EventText => Encoding.UTF8.GetString(Event.Span);

    public byte[] ToJson() => JsonLine.Serialize(this, static (writer, r) =>
    {
        writer.WriteStartObject();
        JsonLine.WriteTime(writer, "time", r.Time);
        writer.WriteString("requestId", r.RequestId);
        writer.WriteString("functionName", r.FunctionName);
        writer.WriteString("functionArn", r.FunctionArn);
        writer.WriteNumber("attempt", r.Attempt);
        // An empty Invoke body reaches the function as an empty object.
        if (r.EventIsValidJson)
        {
            JsonLine.WriteValidJson(writer, "event", r.Event.Span);
        }
        else
        {
            JsonLine.WriteJsonOrString(writer, "event", r.Event.Span);
        }
        writer.WriteString("outcome", r.Outcome);
        if (r.ErrorMessage is not null)
        {
            writer.WriteString("errorMessage", r.ErrorMessage);
        }
        if (r.RuleName is not null)
        {
            writer.WriteString("ruleName", r.RuleName);
        }
        writer.WriteEndObject();
    });
}

/// <summary>The execution attempts the emulator ran: in memory (observable, awaitable) and in <c>&lt;data&gt;/invocations.jsonl</c>.</summary>
public interface IInvocationLog : IRecordLog<InvocationLogRecord>
{
}

public sealed partial class InvocationLog(IOptions<RuleEngineOptions> options, ILoggerFactory loggerFactory)
    : JsonLinesRecordLog<InvocationLogRecord>(options, loggerFactory, FileName, "IoTRuleEmu.Lambda.Invocations"), IInvocationLog
{
    public const string FileName = "invocations.jsonl";

    protected override byte[] Serialize(InvocationLogRecord record) => record.ToJson();

    protected override void LogRecord(InvocationLogRecord record, byte[] line) =>
        LogRecord(Logger, record.FunctionName, record.Attempt, record.RequestId, record.Outcome, record.ErrorMessage, record.RuleName);

    [LoggerMessage(EventIds.InvocationRecord, LogLevel.Debug,
        "Invocation of {FunctionName} attempt {Attempt} requestId {RequestId}: {Outcome} {ErrorMessage} (rule {RuleName})")]
    private static partial void LogRecord(ILogger logger, string functionName, int attempt, string requestId, string outcome, string? errorMessage, string? ruleName);
}
