using System.Globalization;
using System.Text;

namespace IoTRuleEmu.Load;

/// <summary>
/// <c>tail</c>: the emulator's consumer. While the load runs it only counts <c>InvokeExecution</c> lines appended to
/// <c>&lt;data&gt;/cloudtrail.jsonl</c> (cheap, so it takes little CPU from the emulator). When all expected records are
/// there (or it times out) it reads <c>invocations.jsonl</c>: distinct sequence numbers of first attempts (losses,
/// duplicates) and the latency from each event's send time to its attempt start (the record's <c>time</c>, 1 ms resolution).
/// </summary>
internal static class DataTail
{
    private static readonly byte[] s_invokeExecution = "\"eventName\":\"InvokeExecution\""u8.ToArray();
    private static readonly byte[] s_time = "\"time\":\""u8.ToArray();
    private static readonly byte[] s_attempt = "\"attempt\":"u8.ToArray();

    public static async Task<int> RunAsync(ArgList args)
    {
        var data = args.Required("data");
        var (expect, timeout, idleTimeout, label, pid, readyFile, outPath) = ConsumerOptions.Parse(args);
        var warmup = args.Double("warmup", 2, 0, 3600);

        var cloudTrailPath = Path.Combine(data, "cloudtrail.jsonl");
        var invocationsPath = Path.Combine(data, "invocations.jsonl");
        var counter = new LineCounter(cloudTrailPath, s_invokeExecution);
        counter.Poll(); // records already there (none in a fresh data folder) do not count
        var baseline = counter.Count;

        var (watch, loadAverage) = await Consumer.StartAsync(pid, readyFile).ConfigureAwait(false);

        var (outcome, observedAllUs, _) = await Consumer.WaitForCountAsync(() =>
            {
                counter.Poll();
                return ValueTask.FromResult(counter.Count - baseline);
            }, expect, TimeSpan.FromMilliseconds(20), timeout, idleTimeout, watch).ConfigureAwait(false);
        watch.Stop();

        // The invocations log has its own writer: give it a moment to catch up with the CloudTrail log (bounded).
        var delivery = new DeliveryCounter(expect);
        var attempts = 0L;
        for (var i = 0; i < 50; i++)
        {
            delivery = new DeliveryCounter(expect);
            attempts = ReadInvocations(invocationsPath, delivery);
            if (delivery.Distinct >= expect || outcome != "all-received")
            {
                break;
            }
            await Task.Delay(100).ConfigureAwait(false);
        }

        using (var w = ResultWriter.Open(outPath))
        {
            w.String("kind", "tail");
            w.String("label", label);
            w.String("data", data);
            w.String("loadAverageAtStart", loadAverage);
            w.String("stopReason", outcome);
            w.Number("invokeExecutionRecords", counter.Count - baseline);
            w.Number("observedAllUs", observedAllUs);
            w.Number("invocationLines", attempts);
            delivery.Write(w, watch, "attempt", warmup);
        }
        Console.Error.WriteLine($"[tail {label}] {counter.Count - baseline} InvokeExecution records; first attempts: {delivery.Summary()} ({outcome})");
        return 0;
    }

    /// <summary>Feeds every first attempt in invocations.jsonl to <paramref name="delivery"/>; returns the number of lines.</summary>
    private static long ReadInvocations(string path, DeliveryCounter delivery)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        long lines = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        foreach (var line in LineCounter.ReadLines(stream))
        {
            lines++;
            var span = line.Span;
            if (!TryReadAttempt(span, out var attempt) || attempt != 1)
            {
                continue;
            }
            if (!TryReadTimeUs(span, out var timeUs))
            {
                continue;
            }
            if (Payload.TryRead(span, out var seq, out var sentUs))
            {
                delivery.Record(seq, sentUs, timeUs);
            }
            else
            {
                delivery.RecordUnparsed(timeUs);
            }
        }
        return lines;
    }

    private static bool TryReadAttempt(ReadOnlySpan<byte> line, out int attempt)
    {
        attempt = 0;
        var at = line.IndexOf(s_attempt);
        return at >= 0 && System.Buffers.Text.Utf8Parser.TryParse(line[(at + s_attempt.Length)..], out attempt, out _);
    }

    private static bool TryReadTimeUs(ReadOnlySpan<byte> line, out long timeUs)
    {
        timeUs = 0;
        var at = line.IndexOf(s_time);
        if (at < 0)
        {
            return false;
        }
        var rest = line[(at + s_time.Length)..];
        var end = rest.IndexOf((byte)'"');
        if (end < 0)
        {
            return false;
        }
        if (!DateTimeOffset.TryParse(Encoding.ASCII.GetString(rest[..end]), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return false;
        }
        timeUs = (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        return true;
    }
}

/// <summary>Counts complete lines containing a marker in a growing file, reading only what was appended since the last poll.</summary>
internal sealed class LineCounter(string path, byte[] marker)
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private long _offset;
    private int _carry;

    public long Count { get; private set; }

    public void Poll()
    {
        if (!File.Exists(path))
        {
            return;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        stream.Position = _offset;
        // Bounded: at most 256 reads (256 MiB) per poll; the rest is read on the next poll.
        for (var reads = 0; reads < 256; reads++)
        {
            var n = stream.Read(_buffer, _carry, _buffer.Length - _carry);
            if (n == 0)
            {
                return;
            }
            _offset += n;
            var data = _buffer.AsSpan(0, _carry + n);
            var consumed = 0;
            while (true)
            {
                var newline = data[consumed..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }
                if (data.Slice(consumed, newline).IndexOf(marker) >= 0)
                {
                    Count++;
                }
                consumed += newline + 1;
            }
            var rest = data.Length - consumed;
            if (rest == _buffer.Length)
            {
                rest = 0; // a line longer than the buffer: skip it
            }
            data[consumed..].CopyTo(_buffer);
            _carry = rest;
        }
    }

    /// <summary>The complete lines of <paramref name="stream"/> (a partial last line is ignored).</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> ReadLines(Stream stream)
    {
        var buffer = new byte[1 << 20];
        var carry = 0;
        while (true)
        {
            var n = stream.Read(buffer, carry, buffer.Length - carry);
            if (n == 0)
            {
                yield break;
            }
            var length = carry + n;
            var consumed = 0;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', consumed, length - consumed);
                if (newline < 0)
                {
                    break;
                }
                yield return new ReadOnlyMemory<byte>(buffer, consumed, newline - consumed);
                consumed = newline + 1;
            }
            carry = length - consumed;
            if (carry == buffer.Length)
            {
                carry = 0; // a line longer than the buffer: skip it
            }
            Buffer.BlockCopy(buffer, consumed, buffer, 0, carry);
        }
    }
}
