using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.CloudTrail;

/// <summary>
/// The CloudTrail records the emulator produced: kept in memory (observable, awaitable), written to
/// <c>&lt;data&gt;/cloudtrail.jsonl</c> by a background writer, and logged as structured events.
/// </summary>
public interface ICloudTrailLog : IRecordLog<CloudTrailRecord>
{
}

public sealed partial class CloudTrailLog(IOptions<RuleEngineOptions> options, ILoggerFactory loggerFactory)
    : JsonLinesRecordLog<CloudTrailRecord>(options, loggerFactory, FileName, "IoTRuleEmu.Lambda.CloudTrail"), ICloudTrailLog
{
    public const string FileName = "cloudtrail.jsonl";

    private readonly CloudTrailRecordTemplates _templates = new();

    protected override byte[] Serialize(CloudTrailRecord record) => _templates.Serialize(record);

    protected override void LogRecord(CloudTrailRecord record, byte[] line)
    {
        if (Logger.IsEnabled(LogLevel.Information))
        {
            LogRecord(Logger, record.EventSource, record.EventName, record.UserIdentity.InvokedBy, record.FunctionArn, record.RequestId,
                record.EventId, CloudTrailJson.FormatTime(record.EventTime), new Utf8LogValue(line));
        }
    }

    [LoggerMessage(EventIds.CloudTrailRecord, LogLevel.Information,
        "CloudTrail {EventSource} {EventName} by {InvokedBy} on {FunctionArn} requestID {RequestId} eventID {CloudTrailEventId} at {EventTime}: {Record}")]
    private static partial void LogRecord(ILogger logger, string eventSource, string eventName, string invokedBy, string functionArn,
        string requestId, string cloudTrailEventId, string eventTime, Utf8LogValue record);
}
