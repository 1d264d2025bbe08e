using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;
using Serilog.Events;

namespace IoTRuleEmu.Logging;

/// <summary>
/// An <see cref="ILogger"/> in front of Serilog's that renders plain events itself, straight into UTF-8, and queues the
/// line on the console sink: exactly the line <see cref="TextLineFormatter"/> would write for the Serilog event, without
/// building one. Standard output carries five such events per MQTT message (every CloudTrail record and the rules
/// engine's matched / SQL result / dispatched events); Serilog's event objects, property capture and UTF-16 formatting
/// of them were 15–20% of a message's CPU (bench/ab.sh, docs/performance.md).
/// </summary>
/// <remarks>
/// Only events Serilog would render the same way take this path: a message template with plain placeholders whose
/// values are strings, integers, null or <see cref="Utf8LogValue"/>, and no exception. Every other event, and every
/// <see cref="BeginScope{TState}"/>, goes to Serilog's logger. Levels and per-category overrides are Serilog's
/// (<see cref="IsEnabled"/>). Used only when the console sink is the one sink and the format is text, where nothing
/// else of the event (scopes, event id) is written.
/// </remarks>
public sealed class TextLineLogger : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    // "[HH:mm:ss.fff LVL] " and ": " around the category, and the newline.
    private const int HeaderBytes = 19 + 2;
    private static readonly byte[] s_newLine = Encoding.UTF8.GetBytes(Environment.NewLine);
    private static readonly byte[] s_null = "null"u8.ToArray();

    // TextLineFormatter's level names as UTF-8, indexed by LogLevel: Trace..Critical are 0..5, as Verbose..Fatal are.
    private static readonly byte[][] s_levels =
        [.. Enum.GetValues<LogEventLevel>().Order().Select(l => Encoding.ASCII.GetBytes(TextLineFormatter.Abbreviation(l)))];

    private readonly ILogger _inner;
    private readonly byte[] _category;
    private readonly BufferedConsoleSink _sink;
    private readonly TimeProvider _time;

    internal TextLineLogger(ILogger inner, string categoryName, BufferedConsoleSink sink, TimeProvider time)
    {
        _inner = inner;
        _category = Encoding.UTF8.GetBytes(categoryName);
        _sink = sink;
        _time = time;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is null && logLevel != LogLevel.None
            && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Count > 0
            && values[^1] is { Key: OriginalFormat, Value: string format }
            && _inner.IsEnabled(logLevel)
            && TryRender(logLevel, TextLineTemplate.For(format), values))
        {
            return;
        }
        _inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private bool TryRender(LogLevel level, TextLineTemplate template, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        if (!template.Renderable)
        {
            return false;
        }
        // Gather the placeholders' values and size the line: every value must be one Serilog renders the same way.
        var gathered = default(PlaceholderValues);
        var size = HeaderBytes + _category.Length + template.LiteralBytes + s_newLine.Length;
        var placeholders = template.PropertyNames;
        for (var p = 0; p < placeholders.Length; p++)
        {
            if (!template.TryGetValue(values, p, out var value))
            {
                return false;
            }
            switch (value)
            {
                case null:
                    size += s_null.Length;
                    break;
                case string text:
                    size += Encoding.UTF8.GetMaxByteCount(text.Length);
                    break;
                case int or long:
                    size += 20;
                    break;
                case Utf8LogValue utf8:
                    size += utf8.Utf8.Length;
                    break;
                default:
                    return false;
            }
            gathered[p] = value;
        }

        var line = _sink.RentLine(size);
        var span = line.AsSpan();
        var at = WriteHeader(span, level);
        var next = 0;
        foreach (var literal in template.Literals)
        {
            if (literal is not null)
            {
                literal.CopyTo(span[at..]);
                at += literal.Length;
                continue;
            }
            at += gathered[next++] switch
            {
                string text => Encoding.UTF8.GetBytes(text, span[at..]),
                int number => Format(number, span[at..]),
                long number => Format(number, span[at..]),
                Utf8LogValue utf8 => Copy(utf8.Utf8.Span, span[at..]),
                _ => Copy(s_null, span[at..]),
            };
        }
        at += Copy(s_newLine, span[at..]);
        _sink.EnqueueLine(line, at);
        return true;
    }

    /// <summary><c>[HH:mm:ss.fff LVL] Category: </c>, local time as Serilog stamps its events.</summary>
    private int WriteHeader(Span<byte> span, LogLevel level)
    {
        var now = _time.GetLocalNow();
        span[0] = (byte)'[';
        TwoDigits(span[1..], now.Hour);
        span[3] = (byte)':';
        TwoDigits(span[4..], now.Minute);
        span[6] = (byte)':';
        TwoDigits(span[7..], now.Second);
        span[9] = (byte)'.';
        var millisecond = now.Millisecond;
        span[10] = (byte)('0' + (millisecond / 100));
        TwoDigits(span[11..], millisecond % 100);
        span[13] = (byte)' ';
        s_levels[(int)level].CopyTo(span[14..]);
        span[17] = (byte)']';
        span[18] = (byte)' ';
        var at = 19;
        at += Copy(_category, span[at..]);
        span[at++] = (byte)':';
        span[at++] = (byte)' ';
        return at;
    }

    private static void TwoDigits(Span<byte> span, int value)
    {
        span[0] = (byte)('0' + (value / 10));
        span[1] = (byte)('0' + (value % 10));
    }

    private static int Format(long value, Span<byte> span) => Utf8Formatter.TryFormat(value, span, out var written) ? written : 0;

    private static int Copy(ReadOnlySpan<byte> bytes, Span<byte> span)
    {
        bytes.CopyTo(span);
        return bytes.Length;
    }
}

/// <summary>Room for the values of a template's placeholders, on the stack.</summary>
[InlineArray(TextLineTemplate.MaxPlaceholders)]
internal struct PlaceholderValues
{
    private object? _value;
}

/// <summary>Wraps Serilog's logger factory so that every logger is a <see cref="TextLineLogger"/> over Serilog's.</summary>
public sealed class TextLineLoggerFactory(ILoggerFactory inner, BufferedConsoleSink sink, TimeProvider time) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new TextLineLogger(inner.CreateLogger(categoryName), categoryName, sink, time);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
