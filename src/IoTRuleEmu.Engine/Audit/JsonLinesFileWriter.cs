using System.Collections.Concurrent;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Engine.Audit;

/// <summary>
/// Appends lines to a file off the hot path: <see cref="Append"/> only queues; one writer thread writes everything queued
/// through a 64 KB buffer and flushes once per batch: the writer sleeps while the queue is empty and, once woken, lets
/// lines gather for <see cref="BatchInterval"/>. <see cref="FlushAsync"/> completes when everything appended before it
/// is in the file. The file (and its folder) is created on the first write.
/// </summary>
/// <remarks>
/// A thread of its own with synchronous writes, because a file has no truly asynchronous writes on Linux: .NET would run
/// each one as a thread-pool work item, a wake-up per 4 KB. The writer is only woken when it sleeps, so under load
/// appending costs a queue operation.
/// </remarks>
public sealed partial class JsonLinesFileWriter : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>How long the writer lets lines gather after it was woken (real time): one write per batch, not per line.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentQueue<Item> _queue = new();
    private readonly BatchSignal _signal = new(BatchInterval);
    private readonly Func<bool> _hasWork;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream? _stream;
    private volatile bool _closed;

    public JsonLinesFileWriter(string path, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        _hasWork = () => !_queue.IsEmpty || _closed;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "JSON lines writer: " + System.IO.Path.GetFileName(Path) };
        _thread.Start();
    }

    /// <summary>The file written to.</summary>
    public string Path { get; }

    /// <summary>Queues one line (without its newline). Never blocks.</summary>
    public void Append(byte[] line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Enqueue(new Item(line, null));
    }

    /// <summary>Completes when every line appended before this call has been written and flushed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_closed)
        {
            // Everything is flushed on close.
            return _stopped.Task;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new Item(null, done));
        _signal.Hurry();
        // A flush queued while the writer was closing completes when it has stopped (it wrote everything by then).
        return Task.WhenAny(done.Task, _stopped.Task).WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            _signal.Hurry();
        }
        return new ValueTask(_stopped.Task);
    }

    private void Enqueue(Item item)
    {
        _queue.Enqueue(item);
        _signal.NotifyWork();
    }

    private void WriteLoop()
    {
        var flushes = new List<TaskCompletionSource>();
        try
        {
            while (true)
            {
                try
                {
                    while (_queue.TryDequeue(out var item))
                    {
                        if (item.Line is { } line)
                        {
                            var stream = _stream ??= Open();
                            stream.Write(line);
                            stream.WriteByte((byte)'\n');
                        }
                        else if (item.Flushed is { } tcs)
                        {
                            flushes.Add(tcs);
                        }
                    }
                    _stream?.Flush();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogWriteFailed(_logger, ex, Path);
                    CloseStream();
                }
                foreach (var tcs in flushes)
                {
                    tcs.TrySetResult();
                }
                flushes.Clear();
                if (_closed && _queue.IsEmpty)
                {
                    break;
                }
                _signal.WaitForBatch(_hasWork);
            }
        }
        finally
        {
            CloseStream();
            _stopped.TrySetResult();
        }
    }

    private void CloseStream()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, ex, Path);
        }
        _stream = null;
    }

    private FileStream Open()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        return new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, BufferBytes, useAsync: false);
    }

    [LoggerMessage(EventIds.LogWriteFailed, LogLevel.Error, "Cannot write {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);

    private readonly record struct Item(byte[]? Line, TaskCompletionSource? Flushed);
}
