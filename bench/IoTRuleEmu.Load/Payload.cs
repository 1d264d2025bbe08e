using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Unicode;

namespace IoTRuleEmu.Load;

/// <summary>
/// The ~200-byte JSON telemetry document every message carries: a device id, the connection, a sequence number unique
/// in the run (<c>seq</c>), and the send time in microseconds since the Unix epoch (<c>sentUs</c>, wall clock, so another
/// process on the same machine can compute the latency).
/// </summary>
internal static class Payload
{
    private static readonly byte[] s_seqKey = "\"seq\":"u8.ToArray();
    private static readonly byte[] s_sentKey = "\"sentUs\":"u8.ToArray();

    /// <summary>Wall-clock microseconds since the Unix epoch (clock_gettime REALTIME on Linux).</summary>
    public static long NowUs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static byte[] Create(int connection, long seq, long sentUs)
    {
        Span<byte> buffer = stackalloc byte[320];
        var temperature = 200 + (int)(seq % 150);
        var humidity = 400 + (int)(seq % 300);
        var ok = Utf8.TryWrite(buffer,
            $$$"""{"deviceId":"sensor-{{{connection:D4}}}","c":{{{connection}}},"seq":{{{seq}}},"sentUs":{{{sentUs}}},"temperature":{{{temperature / 10}}}.{{{temperature % 10}}},"humidity":{{{humidity / 10}}}.{{{humidity % 10}}},"pressure":1013.25,"battery":{"voltage":3.71,"level":88},"status":"ok","location":{"lat":47.6062,"lon":-122.3321}}""",
            out var written);
        Debug.Assert(ok);
        return buffer[..written].ToArray();
    }

    /// <summary>Reads <c>seq</c> and <c>sentUs</c> from a payload (or an event that copied them); false when either is missing.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out long seq, out long sentUs)
    {
        sentUs = 0;
        return TryReadNumber(json, s_seqKey, out seq) && TryReadNumber(json, s_sentKey, out sentUs);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, out long seq, out long sentUs)
    {
        if (payload.IsSingleSegment)
        {
            return TryRead(payload.FirstSpan, out seq, out sentUs);
        }
        return TryRead(payload.ToArray(), out seq, out sentUs);
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        var at = json.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(json[(at + key.Length)..], out value, out _);
    }
}
