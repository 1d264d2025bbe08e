using System.Buffers;
using System.Text;
using System.Text.Json;

namespace IoTRuleEmu.Engine.Audit;

/// <summary>
/// Serialises one record to an exact-size UTF-8 JSON array through a per-thread buffer and writer. Several records are
/// written per message (CloudTrail, invocations.jsonl); a fresh growing buffer and writer each time allocated about four
/// times the record's size, which showed up as garbage-collection pauses under load.
/// </summary>
public static class JsonLine
{
    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static bool t_busy;

    public static byte[] Serialize<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (t_busy)
        {
            // Re-entered (a writer that serialises another record): use a buffer of its own.
            var own = new ArrayBufferWriter<byte>(1024);
            using (var ownWriter = new Utf8JsonWriter(own))
            {
                write(ownWriter, state);
            }
            return own.WrittenSpan.ToArray();
        }
        t_busy = true;
        try
        {
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
            buffer.ResetWrittenCount();
            var writer = t_writer ??= new Utf8JsonWriter(buffer);
            writer.Reset(buffer);
            write(writer, state);
            writer.Flush();
            var bytes = buffer.WrittenSpan.ToArray();
            if (buffer.Capacity > KeptBufferBytes)
            {
                // One huge record must not pin a huge buffer to this thread.
                t_buffer = null;
                t_writer = null;
            }
            return bytes;
        }
        finally
        {
            t_busy = false;
        }
    }

    /// <summary>A UTC timestamp with milliseconds (<c>2026-11-28T12:00:00.123Z</c>), the records' <c>time</c> field.</summary>
    public static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[MaxUtcTimeBytes];
        writer.WriteString(name, text[..FormatUtcTime(time, text, milliseconds: true)]);
    }

    /// <summary>The length of <see cref="FormatUtcTime"/>'s longest text.</summary>
    public const int MaxUtcTimeBytes = 24;

    /// <summary>
    /// Writes <paramref name="time"/> in UTC as <c>2026-11-28T12:00:00Z</c>, or with <paramref name="milliseconds"/>
    /// <c>2026-11-28T12:00:00.123Z</c> (truncated, as the custom format <c>fff</c> does), into at least
    /// <see cref="MaxUtcTimeBytes"/> bytes; returns the length. Several records a message carry a time: the culture-aware
    /// custom format took ~1% of the CPU under load.
    /// </summary>
    public static int FormatUtcTime(DateTimeOffset time, Span<byte> destination, bool milliseconds)
    {
        var utc = time.UtcDateTime;
        utc.Deconstruct(out var year, out var month, out var day);
        var ticksOfDay = utc.Ticks % TimeSpan.TicksPerDay;
        var seconds = (int)(ticksOfDay / TimeSpan.TicksPerSecond);
        Digits(destination, 0, year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, seconds / 3600, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, seconds / 60 % 60, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, seconds % 60, 2);
        if (!milliseconds)
        {
            destination[19] = (byte)'Z';
            return 20;
        }
        destination[19] = (byte)'.';
        Digits(destination, 20, (int)(ticksOfDay % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMillisecond), 3);
        destination[23] = (byte)'Z';
        return 24;
    }

    private static void Digits(Span<byte> destination, int start, int value, int count)
    {
        for (var i = start + count - 1; i >= start; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    /// <summary>
    /// A payload as the JSON value it is (an empty one as <c>{}</c>), or as a JSON string when it is not valid JSON.
    /// A pretty-printed payload (an API caller's file) is written compactly: raw line breaks would split the record's line.
    /// </summary>
    public static void WriteJsonOrString(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        WriteJsonOrStringValue(writer, json);
    }

    /// <summary>
    /// Writes <paramref name="json"/>, which the caller has already checked to be one JSON value (or empty: <c>{}</c>),
    /// without reading it again; only text spread over several lines is read, to put it on one.
    /// </summary>
    public static void WriteValidJson(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (json.IsEmpty || json.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            WriteJsonOrString(writer, name, json);
            return;
        }
        writer.WritePropertyName(name);
        writer.WriteRawValue(json, skipInputValidation: true);
    }

    /// <summary>
    /// The value part of <see cref="WriteJsonOrString"/>; <paramref name="emptyAsNull"/>: an empty payload is <c>null</c>
    /// (a function's empty response) instead of <c>{}</c> (an empty event).
    /// </summary>
    public static void WriteJsonOrStringValue(Utf8JsonWriter writer, ReadOnlySpan<byte> json, bool emptyAsNull = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (json.IsEmpty)
        {
            if (emptyAsNull)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue("{}"u8, skipInputValidation: true);
            }
            return;
        }
        try
        {
            if (json.IndexOfAny((byte)'\n', (byte)'\r') < 0)
            {
                writer.WriteRawValue(json, skipInputValidation: false);
            }
            else
            {
                // Inside JSON strings line breaks are escaped, so these are whitespace between tokens.
                var reader = new Utf8JsonReader(json);
                using var document = JsonDocument.ParseValue(ref reader);
                if (reader.Read())
                {
                    throw new JsonException("Text after the JSON value.");
                }
                document.RootElement.WriteTo(writer);
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(json));
        }
    }
}
