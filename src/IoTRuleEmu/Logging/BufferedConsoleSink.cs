using System.Collections.Concurrent;
using System.Numerics;
using System.Text;
using IoTRuleEmu.Engine.Audit;
using Microsoft.Extensions.ObjectPool;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace IoTRuleEmu.Logging;

/// <summary>
/// A console sink for redirected output (a container's log, a pipe, a file): <see cref="Emit"/> only queues the event,
/// and <see cref="EnqueueLine"/> a line that its caller already rendered as UTF-8 (<see cref="TextLineLogger"/>); one writer
/// thread formats the queued events into a 64 KB buffer and writes it to standard output whenever the queue runs empty;
/// once woken from idle it lets events gather for <see cref="BatchInterval"/>. Under load that is one write system call
/// per batch instead of a formatted, flushed write per event on the thread that logged (Serilog's console sink), which
/// cost more CPU than the rest of a message's processing.
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

    /// <summary>The longest line <see cref="RentLine"/> pools; longer ones are allocated and dropped after writing.</summary>
    public const int MaxPooledLineBytes = 64 * 1024;

    /// <summary>Pooled arrays per size (a power of two) for <see cref="RentLine"/>.</summary>
    public const int PooledLinesPerSize = 1024;

    private const int MinPooledLineShift = 8; // 256 bytes
    private const int MaxPooledLineShift = 16; // MaxPooledLineBytes

    // Line buffers come back one batch after they were rented: at 15,000 messages/s that is ~750 lines, far more than
    // ArrayPool<byte>.Shared keeps per core, so it allocated a new 1-2 KB array for most lines (~6 KB of garbage a
    // message, and gen-1 collections of the lines still queued). One lock-free pool per power-of-two size keeps at most
    // PooledLinesPerSize arrays (ArrayPool.Create's buckets take a spin lock, contended by the logging threads at QoS 0).
    private readonly ObjectPool<byte[]>[] _lines = [.. Enumerable.Range(MinPooledLineShift, MaxPooledLineShift - MinPooledLineShift + 1)
        .Select(shift => new DefaultObjectPool<byte[]>(new LineArrayPolicy(1 << shift), PooledLinesPerSize))];

    private readonly ConcurrentQueue<Entry> _queue = new();
    private readonly BatchSignal _signal = new(BatchInterval);
    private readonly Func<bool> _hasWork;
    private readonly ITextFormatter _formatter;
    private readonly Stream _output;
    private readonly StringWriter _text = new(System.Globalization.CultureInfo.InvariantCulture);
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly Thread _thread;
    private int _used;
    private int _count;
    private volatile bool _closed;

    /// <summary>Writes to <paramref name="output"/> (standard output, or a test's stream); the sink owns and disposes it.</summary>
    public BufferedConsoleSink(ITextFormatter formatter, Stream output)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentNullException.ThrowIfNull(output);
        _formatter = formatter;
        _output = output;
        _hasWork = () => !_queue.IsEmpty || _closed;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "Console log writer" };
        _thread.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        Enqueue(new Entry(logEvent, null, 0));
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes for one line, to pass to <see cref="EnqueueLine"/>.</summary>
    public byte[] RentLine(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var shift = Math.Max(MinPooledLineShift, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 1))));
        return shift <= MaxPooledLineShift ? _lines[shift - MinPooledLineShift].Get() : new byte[minimumLength];
    }

    private void ReturnLine(byte[] line)
    {
        var shift = BitOperations.Log2((uint)line.Length);
        if (BitOperations.IsPow2(line.Length) && shift is >= MinPooledLineShift and <= MaxPooledLineShift)
        {
            _lines[shift - MinPooledLineShift].Return(line);
        }
    }

    /// <summary>
    /// Queues the first <paramref name="length"/> bytes of <paramref name="pooledLine"/>, one finished UTF-8 line with its
    /// newline. The array must come from <see cref="RentLine"/>; the sink owns it from here on and returns it once written.
    /// </summary>
    public void EnqueueLine(byte[] pooledLine, int length)
    {
        ArgumentNullException.ThrowIfNull(pooledLine);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, pooledLine.Length);
        if (!Enqueue(new Entry(null, pooledLine, length)))
        {
            ReturnLine(pooledLine);
        }
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

    private bool Enqueue(Entry entry)
    {
        if (_closed)
        {
            return false; // the host stopped: too late to be written
        }
        // Back-pressure, bounded by the writer's progress: it only happens when logging outruns standard output.
        for (var waited = 0; Volatile.Read(ref _count) >= Capacity && !_closed && waited < 10_000; waited++)
        {
            Thread.Sleep(1);
        }
        Interlocked.Increment(ref _count);
        _queue.Enqueue(entry);
        _signal.NotifyWork();
        return true;
    }

    private void WriteLoop()
    {
        var writing = true;
        while (true)
        {
            var wrote = false;
            while (_queue.TryDequeue(out var entry))
            {
                Interlocked.Decrement(ref _count);
                wrote = true;
                if (writing)
                {
                    writing = Write(entry);
                }
                if (entry.Line is { } line)
                {
                    ReturnLine(line);
                }
            }
            if (wrote && writing)
            {
                writing = Try(WriteBuffer) && Try(_output.Flush);
            }
            if (_closed && _queue.IsEmpty)
            {
                break;
            }
            _signal.WaitForBatch(_hasWork);
        }
        Try(_output.Dispose);
    }

    /// <summary>Adds one entry to the buffer; false when standard output went away.</summary>
    private bool Write(in Entry entry)
    {
        try
        {
            if (entry.Line is { } line)
            {
                Append(line.AsSpan(0, entry.Length));
            }
            else
            {
                var text = _text.GetStringBuilder().Clear();
                _formatter.Format(entry.Event!, _text);
                Append(text);
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return false; // standard output went away (closed pipe): keep draining so that nobody waits for room
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            return true; // one event that cannot be formatted is skipped; the others are still written
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            WriteBuffer();
            if (bytes.Length > _buffer.Length)
            {
                _output.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    private void Append(StringBuilder text)
    {
        foreach (var chunk in text.GetChunks())
        {
            var chars = chunk.Span;
            while (!chars.IsEmpty)
            {
                if (_buffer.Length - _used < 8)
                {
                    WriteBuffer();
                }
                _encoder.Convert(chars, _buffer.AsSpan(_used), flush: false, out var charsUsed, out var bytesUsed, out _);
                _used += bytesUsed;
                chars = chars[charsUsed..];
            }
        }
        if (_buffer.Length - _used < 8)
        {
            WriteBuffer();
        }
        // A lone high surrogate at the very end becomes U+FFFD, as StreamWriter writes it.
        _encoder.Convert([], _buffer.AsSpan(_used), flush: true, out _, out var tail, out _);
        _used += tail;
    }

    private void WriteBuffer()
    {
        if (_used > 0)
        {
            var used = _used;
            _used = 0;
            _output.Write(_buffer, 0, used);
        }
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

    /// <summary>A queued Serilog event, or a line rendered by its caller.</summary>
    private readonly record struct Entry(LogEvent? Event, byte[]? Line, int Length);

    private sealed class LineArrayPolicy(int length) : PooledObjectPolicy<byte[]>
    {
        public override byte[] Create() => GC.AllocateUninitializedArray<byte>(length);

        public override bool Return(byte[] obj) => true;
    }
}
