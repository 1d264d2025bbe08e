using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Engine.Audit;

/// <summary>What every record log offers: records kept in memory (observable, awaitable) and written to a file.</summary>
public interface IRecordLog<T> where T : class
{
    /// <summary>Raised synchronously for every record appended.</summary>
    event Action<T>? Appended;

    void Append(T record);

    /// <summary>A copy of the recent records (in memory), oldest first.</summary>
    IReadOnlyList<T> Snapshot();

    /// <summary>How many records were appended since start (including ones no longer held in memory).</summary>
    long TotalCount { get; }

    /// <summary>Completes with the first record, past or future, that matches <paramref name="match"/>.</summary>
    Task<T> WaitForAsync(Func<T, bool> match, CancellationToken cancellationToken = default);

    /// <summary>Completes when at least <paramref name="count"/> records match; returns all matching records.</summary>
    Task<IReadOnlyList<T>> WaitForCountAsync(Func<T, bool> match, int count, CancellationToken cancellationToken = default);

    /// <summary>Completes when every record appended so far is written to the file.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>The JSON-lines file that holds every record (memory holds only the most recent ones).</summary>
    string FilePath { get; }
}

/// <summary>
/// A <see cref="RecordLog{T}"/> whose records are also written, one JSON object a line, to
/// <c>&lt;data&gt;/&lt;fileName&gt;</c> by a background writer, and logged as structured events.
/// A log type only says how a record becomes a line and a log event.
/// </summary>
public abstract class JsonLinesRecordLog<T> : RecordLog<T>, IRecordLog<T>, IAsyncDisposable where T : class
{
    private readonly JsonLinesFileWriter _file;

    protected JsonLinesRecordLog(IOptions<RuleEngineOptions> options, ILoggerFactory loggerFactory, string fileName, string logCategory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Logger = loggerFactory.CreateLogger(logCategory);
        _file = new JsonLinesFileWriter(Path.Combine(options.Value.DataDirectory, fileName), Logger);
    }

    protected ILogger Logger { get; }

    /// <summary>The file records are written to.</summary>
    public string FilePath => _file.Path;

    public void Append(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = Serialize(record);
        _file.Append(line);
        LogRecord(record, line);
        Add(record);
    }

    /// <summary>The record as one JSON line (UTF-8, without the newline).</summary>
    protected abstract byte[] Serialize(T record);

    /// <summary>Logs the record as a structured event; <paramref name="line"/> is what went to the file.</summary>
    protected abstract void LogRecord(T record, byte[] line);

    public Task FlushAsync(CancellationToken cancellationToken = default) => _file.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _file.DisposeAsync();
    }
}
