using System.Text;
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
public interface ICloudTrailLog
{
    /// <summary>Raised synchronously for every record appended.</summary>
    event Action<CloudTrailRecord>? Appended;

    void Append(CloudTrailRecord record);

    /// <summary>A copy of the recent records (in memory), oldest first.</summary>
    IReadOnlyList<CloudTrailRecord> Snapshot();

    /// <summary>Completes with the first record, past or future, that matches <paramref name="match"/>.</summary>
    Task<CloudTrailRecord> WaitForAsync(Func<CloudTrailRecord, bool> match, CancellationToken cancellationToken = default);

    /// <summary>Completes when at least <paramref name="count"/> records match; returns all matching records.</summary>
    Task<IReadOnlyList<CloudTrailRecord>> WaitForCountAsync(Func<CloudTrailRecord, bool> match, int count, CancellationToken cancellationToken = default);

    /// <summary>Completes when every record appended so far is written to the file.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}

public sealed partial class CloudTrailLog : RecordLog<CloudTrailRecord>, ICloudTrailLog, IAsyncDisposable
{
    public const string FileName = "cloudtrail.jsonl";

    private readonly JsonLinesFileWriter _file;
    private readonly ILogger _logger;

    public CloudTrailLog(IOptions<RuleEngineOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger("IoTRuleEmu.Lambda.CloudTrail");
        _file = new JsonLinesFileWriter(Path.Combine(options.Value.DataDirectory, FileName), _logger);
    }

    /// <summary>The file records are written to.</summary>
    public string FilePath => _file.Path;

    public void Append(CloudTrailRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var json = CloudTrailJson.Serialize(record);
        _file.Append(json);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogRecord(_logger, record.EventSource, record.EventName, record.UserIdentity.InvokedBy, record.FunctionArn, record.RequestId,
                record.EventId, CloudTrailJson.FormatTime(record.EventTime), Encoding.UTF8.GetString(json));
        }
        Add(record);
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => _file.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    [LoggerMessage(EventIds.CloudTrailRecord, LogLevel.Information,
        "CloudTrail {EventSource} {EventName} by {InvokedBy} on {FunctionArn} requestID {RequestId} eventID {CloudTrailEventId} at {EventTime}: {Record}")]
    private static partial void LogRecord(ILogger logger, string eventSource, string eventName, string invokedBy, string functionArn,
        string requestId, string cloudTrailEventId, string eventTime, string record);
}
