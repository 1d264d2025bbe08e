using System.Text;
using BenchmarkDotNet.Attributes;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Benchmarks;

/// <summary>
/// The target: a compiled statement on a ~200-byte JSON payload, payload parse and output
/// serialisation included, ≤ 2 µs and ≤ 1 KB allocated per message on one thread.
/// </summary>
[MemoryDiagnoser]
public class SqlEvaluationBenchmarks
{
    private const string Sql = "SELECT temperature, humidity, topic(2) AS device FROM 'sensors/+/telemetry' WHERE temperature > 25";

    private SqlStatement _statement = null!;
    private SqlMessage _message = null!;
    private SqlStatement _selectStar = null!;
    private SqlMessage _spacedMessage = null!;

    [GlobalSetup]
    public void Setup()
    {
        _statement = SqlStatement.Compile(Sql, SqlVersion.V2016_03_23);
        var payload = """{"deviceId":"sensor-0042","seq":123456,"ts":1732790000123,"temperature":27.4,"humidity":61.2,"pressure":1013.25,"battery":{"voltage":3.71,"level":88},"status":"ok","location":{"lat":47.6062,"lon":-122.3321}}""";
        _message = new SqlMessage { Topic = "sensors/sensor-0042/telemetry", Payload = Encoding.UTF8.GetBytes(payload), ClientId = "sensor-0042", TimestampMs = 1_732_790_000_123 };
        if (Encoding.UTF8.GetByteCount(payload) is < 180 or > 230)
        {
            throw new InvalidOperationException("payload should be about 200 bytes");
        }
        _selectStar = SqlStatement.Compile("SELECT * FROM 'sensors/+/telemetry'", SqlVersion.V2016_03_23);
        // The same document with one space: not canonical, so SELECT * parses and writes it (the general path).
        _spacedMessage = new SqlMessage { Topic = _message.Topic, ClientId = _message.ClientId, TimestampMs = _message.TimestampMs, Payload = Encoding.UTF8.GetBytes(payload.Replace(",\"seq\"", ", \"seq\"", StringComparison.Ordinal)) };
        if (Encoding.UTF8.GetString(_selectStar.Evaluate(_spacedMessage).Payload!) != payload
            || Encoding.UTF8.GetString(_selectStar.Evaluate(_message).Payload!) != payload)
        {
            throw new InvalidOperationException("unexpected SELECT * output");
        }
        var check = _statement.Evaluate(_message);
        if (!check.IsMatch || Encoding.UTF8.GetString(check.Payload!) != """{"temperature":27.4,"humidity":61.2,"device":"sensor-0042"}""")
        {
            throw new InvalidOperationException("unexpected benchmark output");
        }
    }

    /// <summary>Topic check, payload parse, WHERE, SELECT and serialisation of the output bytes.</summary>
    [Benchmark]
    public byte[]? EvaluateMessage() => _statement.Evaluate(_message).Payload;

    /// <summary><c>SELECT *</c> of a compact payload: passes through after one validating scan (CanonicalJson).</summary>
    [Benchmark]
    public byte[]? SelectStar() => _selectStar.Evaluate(_message).Payload;

    /// <summary><c>SELECT *</c> of the same payload with one space in it: parsed and written again.</summary>
    [Benchmark]
    public byte[]? SelectStarGeneralPath() => _selectStar.Evaluate(_spacedMessage).Payload;

    /// <summary>Parse and compile (done once per rule, not per message).</summary>
    [Benchmark]
    public SqlStatement Compile() => SqlStatement.Compile(Sql, SqlVersion.V2016_03_23);
}
