using System.Globalization;
using System.Text;
using IoTRuleEmu.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace IoTRuleEmu.Tests.Logging;

/// <summary>The batching console sink: every line, in order, written by the time it is disposed.</summary>
public sealed class BufferedConsoleSinkTests
{
    private static readonly MessageTemplateParser s_parser = new();

    private static LogEvent Event(int i) => new(
        DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, s_parser.Parse("line {N}"),
        [new LogEventProperty("N", new ScalarValue(i))]);

    [Fact(Timeout = 30_000)]
    public async Task Dispose_WritesEveryEventInOrder()
    {
        await Task.Yield();
        var output = new KeepOpenMemoryStream();
        var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message}{NewLine}", CultureInfo.InvariantCulture), output);
        const int Count = 20_000;
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var i = w; i < Count; i += 2)
            {
                sink.Emit(Event(i));
            }
        })).ToArray();
        await Task.WhenAll(writers);
        sink.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Count, lines.Length);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"line {i}"), lines.Order(Comparer<string>.Create((a, b) =>
            int.Parse(a.AsSpan(5), CultureInfo.InvariantCulture).CompareTo(int.Parse(b.AsSpan(5), CultureInfo.InvariantCulture)))));
        // One writer: the events of one logging thread keep their order.
        var evens = lines.Select(l => int.Parse(l.AsSpan(5), CultureInfo.InvariantCulture)).Where(n => n % 2 == 0).ToList();
        Assert.Equal(evens.Order(), evens);
    }

    [Fact(Timeout = 30_000)]
    public async Task Emit_IsWrittenWithoutDispose()
    {
        var output = new KeepOpenMemoryStream();
        using var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message}{NewLine}", CultureInfo.InvariantCulture), output);
        sink.Emit(Event(7));
        // Written as soon as the queue runs empty (bounded wait).
        for (var i = 0; i < 200 && output.Length == 0; i++)
        {
            await Task.Delay(25);
        }
        Assert.Equal("line 7\n", Encoding.UTF8.GetString(output.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task Emit_AfterDispose_IsIgnored()
    {
        await Task.Yield();
        var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message}{NewLine}", CultureInfo.InvariantCulture), new KeepOpenMemoryStream());
        sink.Dispose();
        sink.Emit(Event(1));
        sink.Dispose();
    }

    [Fact(Timeout = 30_000)]
    public async Task Lines_AndEvents_KeepTheirOrder_WhateverTheirSize()
    {
        await Task.Yield();
        var output = new KeepOpenMemoryStream();
        var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message:l}{NewLine}", CultureInfo.InvariantCulture), output);
        // Larger than the sink's 64 KB buffer, and full of surrogate pairs that a StringBuilder may split between chunks.
        var bigText = string.Concat(Enumerable.Repeat("a🎉", 50_000));
        var bigLine = new string('x', 100_000);
        sink.Emit(Event(1));
        Enqueue(sink, "line A\n");
        sink.Emit(new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, s_parser.Parse("{T}"),
            [new LogEventProperty("T", new ScalarValue(bigText))]));
        Enqueue(sink, bigLine + "\n");
        sink.Emit(Event(2));
        sink.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        Assert.Equal(["line 1", "line A", bigText, bigLine, "line 2", ""], lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task EnqueueLine_AfterDispose_IsIgnored()
    {
        await Task.Yield();
        var output = new KeepOpenMemoryStream();
        var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message}{NewLine}", CultureInfo.InvariantCulture), output);
        sink.Dispose();
        Enqueue(sink, "too late\n");
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void LineArrays_GoBackToTheSinksPool_OnceWritten()
    {
        var output = new KeepOpenMemoryStream();
        var sink = new BufferedConsoleSink(new MessageTemplateTextFormatter("{Message}{NewLine}", CultureInfo.InvariantCulture), output);
        var line = sink.RentLine(100);
        var huge = sink.RentLine(BufferedConsoleSink.MaxPooledLineBytes + 1);
        "pooled\n"u8.CopyTo(line);
        huge.AsSpan(0, BufferedConsoleSink.MaxPooledLineBytes).Fill((byte)'x');
        huge[BufferedConsoleSink.MaxPooledLineBytes] = (byte)'\n';
        sink.EnqueueLine(line, 7);
        sink.EnqueueLine(huge, BufferedConsoleSink.MaxPooledLineBytes + 1);
        sink.Dispose(); // writes both lines and hands the arrays back

        var written = output.ToArray();
        Assert.Equal("pooled\n"u8.ToArray(), written[..7]);
        Assert.Equal(7 + BufferedConsoleSink.MaxPooledLineBytes + 1, written.Length);
        // The next line of that size reuses the array; the oversized one was not kept.
        Assert.Same(line, sink.RentLine(100));
        Assert.NotSame(huge, sink.RentLine(BufferedConsoleSink.MaxPooledLineBytes + 1));
    }

    private static void Enqueue(BufferedConsoleSink sink, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var pooled = sink.RentLine(bytes.Length);
        bytes.CopyTo(pooled, 0);
        sink.EnqueueLine(pooled, bytes.Length);
    }

    /// <summary>A memory stream that can be read after the sink disposed its writer.</summary>
    private sealed class KeepOpenMemoryStream : MemoryStream
    {
        private readonly Lock _lock = new();

        public override long Length
        {
            get
            {
                lock (_lock)
                {
                    return base.Length;
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_lock)
            {
                base.Write(buffer);
            }
        }

        public override byte[] ToArray()
        {
            lock (_lock)
            {
                return base.ToArray();
            }
        }

        protected override void Dispose(bool disposing)
        {
            // keep the contents readable
        }
    }
}
