using System.Text.Json;

namespace IoTRuleEmu.Load;

/// <summary>Writes one JSON object (a measurement's result) to a file, or to standard output when no file is given.</summary>
internal sealed class ResultWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _writer;

    private ResultWriter(Stream stream)
    {
        _stream = stream;
        _writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        _writer.WriteStartObject();
    }

    public static ResultWriter Open(string? path)
    {
        if (path is null)
        {
            return new ResultWriter(Console.OpenStandardOutput());
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        return new ResultWriter(File.Create(path));
    }

    public void String(string name, string? value)
    {
        if (value is null)
        {
            _writer.WriteNull(name);
        }
        else
        {
            _writer.WriteString(name, value);
        }
    }

    public void Number(string name, long value) => _writer.WriteNumber(name, value);

    public void Number(string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            _writer.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            _writer.WriteNull(name);
        }
    }

    public void Bool(string name, bool value) => _writer.WriteBoolean(name, value);

    public void Dispose()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        _stream.Write("\n"u8);
        _writer.Dispose();
        _stream.Dispose();
    }
}

/// <summary>Latencies in microseconds; percentiles by sorting once at the end.</summary>
internal sealed class LatencyStats
{
    private long[] _values;
    private long[] _sentUs;
    private int _count;

    public LatencyStats(int capacity)
    {
        _values = new long[Math.Max(16, capacity)];
        _sentUs = new long[_values.Length];
    }

    public int Count => _count;

    public void Add(long micros, long sentUs = 0)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
            Array.Resize(ref _sentUs, _values.Length);
        }
        _sentUs[_count] = sentUs;
        _values[_count++] = micros;
    }

    public void CopyTo(LatencyStats into)
    {
        for (var i = 0; i < _count; i++)
        {
            into.Add(_values[i], _sentUs[i]);
        }
    }

    /// <summary>
    /// Writes percentiles of all samples, and (<paramref name="warmupSeconds"/> &gt; 0) of the samples sent at least that
    /// long after the first one: the steady state without the start-up transient (JIT, first connections).
    /// </summary>
    public void Write(ResultWriter w, string prefix, double warmupSeconds)
    {
        if (warmupSeconds > 0 && _count > 0)
        {
            var first = _sentUs.AsSpan(0, _count).ToArray().Min();
            var cut = first + (long)(warmupSeconds * 1e6);
            var steady = new List<long>(_count);
            for (var i = 0; i < _count; i++)
            {
                if (_sentUs[i] >= cut)
                {
                    steady.Add(_values[i]);
                }
            }
            var sorted = steady.ToArray().AsSpan();
            sorted.Sort();
            w.Number(prefix + "WarmupSeconds", warmupSeconds);
            w.Number(prefix + "SteadySamples", sorted.Length);
            w.Number(prefix + "SteadyP50Ms", Percentile(sorted, 0.50));
            w.Number(prefix + "SteadyP99Ms", Percentile(sorted, 0.99));
            w.Number(prefix + "SteadyMaxMs", sorted.IsEmpty ? null : sorted[^1] / 1000.0);
        }
        Write(w, prefix);
    }

    public void Write(ResultWriter w, string prefix)
    {
        var span = _values.AsSpan(0, _count);
        span.Sort();
        w.Number(prefix + "Samples", _count);
        w.Number(prefix + "P50Ms", Percentile(span, 0.50));
        w.Number(prefix + "P90Ms", Percentile(span, 0.90));
        w.Number(prefix + "P99Ms", Percentile(span, 0.99));
        w.Number(prefix + "MaxMs", _count == 0 ? null : span[^1] / 1000.0);
        w.Number(prefix + "MinMs", _count == 0 ? null : span[0] / 1000.0);
    }

    private static double? Percentile(ReadOnlySpan<long> sorted, double p)
    {
        if (sorted.IsEmpty)
        {
            return null;
        }
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)] / 1000.0;
    }
}
