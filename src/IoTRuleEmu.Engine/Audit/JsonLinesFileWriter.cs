using System.Threading.Channels;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Engine.Audit;

/// <summary>
/// Appends lines to a file off the hot path: <see cref="Append"/> only queues; one writer task writes everything queued
/// and flushes once per batch. <see cref="FlushAsync"/> completes when everything appended before it is on disk.
/// The file (and its folder) is created on the first write.
/// </summary>
public sealed partial class JsonLinesFileWriter : IAsyncDisposable
{
    private static readonly byte[] s_newline = "\n"u8.ToArray();

    private readonly Channel<Item> _channel = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _writer;
    private FileStream? _stream;

    public JsonLinesFileWriter(string path, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The file written to.</summary>
    public string Path { get; }

    /// <summary>Queues one line (without its newline). Never blocks.</summary>
    public void Append(byte[] line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _channel.Writer.TryWrite(new Item(line, null));
    }

    /// <summary>Completes when every line appended before this call has been written and flushed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new Item(null, done)))
        {
            // Already closed: everything was flushed on close.
            return _writer;
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _channel.Reader;
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Line is { } line)
                    {
                        var stream = _stream ??= Open();
                        await stream.WriteAsync(line).ConfigureAwait(false);
                        await stream.WriteAsync(s_newline).ConfigureAwait(false);
                    }
                    else if (item.Flushed is { } tcs)
                    {
                        flushes.Add(tcs);
                    }
                }
                if (_stream is not null)
                {
                    await _stream.FlushAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogWriteFailed(_logger, ex, Path);
                if (_stream is not null)
                {
                    await _stream.DisposeAsync().ConfigureAwait(false);
                    _stream = null;
                }
            }
            foreach (var tcs in flushes)
            {
                tcs.TrySetResult();
            }
            flushes.Clear();
        }
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _stream = null;
        }
    }

    private FileStream Open()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        return new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
    }

    [LoggerMessage(EventIds.LogWriteFailed, LogLevel.Error, "Cannot write {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);

    private readonly record struct Item(byte[]? Line, TaskCompletionSource? Flushed);
}
