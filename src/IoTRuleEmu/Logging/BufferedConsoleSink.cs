using System.Collections.Concurrent;
using System.Text;
using IoTRuleEmu.Engine.Audit;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace IoTRuleEmu.Logging;

/// <summary>
/// A console sink for redirected output (a container's log, a pipe, a file): <see cref="Emit"/> only queues the event;
/// one writer thread formats the queued events into a 64 KB buffer and writes it to standard output whenever the queue
/// runs empty; once woken from idle it lets events gather for <see cref="BatchInterval"/>. Under load that is one write
/// system call per batch instead of a formatted, flushed write per event on the thread that logged (Serilog's console
/// sink), which cost more CPU than the rest of a message's processing.
/// </summary>
/// <remarks>
/// Order is kept (one queue, one writer). Nothing is dropped: while <see cref="Capacity"/> events wait, a logging thread
/// waits for room, so the queue never holds more than a few MB. A line reaches standard output one batch after it was
/// logged at the latest; <see cref="Dispose"/> writes everything still queued. The writer is a thread of its own, so it
/// makes progress even when every thread-pool thread waits for room; while idle it sleeps without spinning.
/// </remarks>
public sealed class BufferedConsoleSink : ILogEventSink, IDisposable
{
    /// <summary>Events that may wait to be written before a logging thread has to wait.</summary>
    public const int Capacity = 10_000;

    private const int BufferBytes = 64 * 1024;

    /// <summary>How long the writer lets events gather after it was woken (real time): one write per batch.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentQueue<LogEvent> _queue = new();
    private readonly BatchSignal _signal = new(BatchInterval);
    private readonly Func<bool> _hasWork;
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly Thread _thread;
    private int _count;
    private volatile bool _closed;

    public BufferedConsoleSink(ITextFormatter formatter)
        : this(formatter, Console.OpenStandardOutput())
    {
    }

    /// <summary>Writes to <paramref name="output"/> (tests); the sink owns and disposes it.</summary>
    public BufferedConsoleSink(ITextFormatter formatter, Stream output)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentNullException.ThrowIfNull(output);
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferBytes) { AutoFlush = false };
        _hasWork = () => !_queue.IsEmpty || _closed;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "Console log writer" };
        _thread.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (_closed)
        {
            return; // the host stopped: too late to be written
        }
        // Back-pressure, bounded by the writer's progress: it only happens when logging outruns standard output.
        for (var waited = 0; Volatile.Read(ref _count) >= Capacity && !_closed && waited < 10_000; waited++)
        {
            Thread.Sleep(1);
        }
        Interlocked.Increment(ref _count);
        _queue.Enqueue(logEvent);
        _signal.NotifyWork();
    }

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _signal.Hurry();
        // Bounded: a blocked standard output must not hang shutdown.
        if (_thread.Join(TimeSpan.FromSeconds(10)))
        {
            _signal.Dispose();
        }
    }

    private void WriteLoop()
    {
        var writing = true;
        while (true)
        {
            var wrote = false;
            while (_queue.TryDequeue(out var logEvent))
            {
                Interlocked.Decrement(ref _count);
                wrote = true;
                if (!writing)
                {
                    continue;
                }
                try
                {
                    _formatter.Format(logEvent, _output);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    writing = false; // standard output went away (closed pipe): keep draining so that nobody waits for room
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
                {
                    // one event that cannot be formatted is skipped; the others are still written
                }
            }
            if (wrote && writing)
            {
                writing = Try(_output.Flush);
            }
            if (_closed && _queue.IsEmpty)
            {
                break;
            }
            _signal.WaitForBatch(_hasWork);
        }
        Try(_output.Dispose);
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Standard output went away (closed pipe): stop writing, keep draining so that nobody waits for room.
            return false;
        }
    }
}
