using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Sql.Runtime;
using IoTRuleEmu.Sql.Tests.Conformance;

namespace IoTRuleEmu.Sql.Tests.Runtime;

/// <summary>
/// <c>SELECT *</c> hands a canonical payload on unparsed. That is only an optimisation: the general path (parse, then
/// <see cref="SqlJson"/>) defines the output, so every payload the scan accepts must be exactly what the general path
/// writes for it, and <c>SELECT *</c> must give the general path's output for every payload.
/// </summary>
public class CanonicalJsonTests
{
    private static readonly SqlVersion[] Versions = [SqlVersion.V2015_10_08, SqlVersion.V2016_03_23];

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"deviceId":"sensor-0002","seq":50000,"temperature":25,"pressure":1013.25,"battery":{"voltage":3.71,"level":88},"ok":true,"note":null}""")]
    [InlineData("""{"a":[1,-2,[],{},"x",0.001,-122.3321],"b":{"c":{"d":[false]}}}""")]
    [InlineData("""{"text":"héllo wörld ✓ 😀","dup":1,"dup":2}""")]
    [InlineData("""{"zero":0,"whole":25.0,"small":0.5}""")]
    public void Accepts_CompactPayloadsTheGeneralPathWritesUnchanged(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        Assert.True(CanonicalJson.IsCanonicalObject(payload, SqlVersion.V2015_10_08));
        Assert.Equal(json, GeneralPath(payload, SqlVersion.V2015_10_08));
    }

    [Theory]
    [InlineData("""{"a": 1}""")] // whitespace
    [InlineData("""{"a":1} """)]
    [InlineData(""" {"a":1}""")]
    [InlineData("{\n\"a\":1}")]
    [InlineData("""{"a":1.50}""")] // trailing zero: written 1.5
    [InlineData("""{"a":1e3}""")] // exponent: written 1000.0
    [InlineData("""{"a":1.0E7}""")]
    [InlineData("""{"a":0.0001}""")] // written 1.0E-4
    [InlineData("""{"a":-0}""")] // written 0
    [InlineData("""{"a":12345678901234567890}""")] // beyond 64 bits: general path
    [InlineData("""{"a":0.30000000000000004441}""")] // more digits than the shortest form
    [InlineData("""{"a":"\u00e9"}""")] // escape: written as raw UTF-8
    [InlineData("""{"a\"b":1}""")]
    [InlineData("""{"a":"\/"}""")]
    [InlineData("""[1,2]""")] // not an object
    [InlineData("""{"a":1""")] // not JSON
    [InlineData("""{"a":1}{"b":2}""")]
    [InlineData("""{"a":01}""")]
    [InlineData("")]
    [InlineData("hello")]
    public void Rejects_PayloadsTheGeneralPathWritesDifferentlyOrMustJudge(string json) =>
        Assert.False(CanonicalJson.IsCanonicalObject(Encoding.UTF8.GetBytes(json), SqlVersion.V2015_10_08));

    [Fact]
    public void WholeDecimal_DependsOnTheSqlVersion()
    {
        // 2016-03-23 prints a whole Decimal as an Int: {"a":25.0} becomes {"a":25} there, so it is not canonical.
        var payload = """{"a":25.0}"""u8.ToArray();
        Assert.True(CanonicalJson.IsCanonicalObject(payload, SqlVersion.V2015_10_08));
        Assert.False(CanonicalJson.IsCanonicalObject(payload, SqlVersion.V2016_03_23));
        Assert.Equal("""{"a":25}""", Select(payload, SqlVersion.V2016_03_23));
    }

    [Theory]
    [InlineData("SELECT * FROM 't'", false)]
    [InlineData("SELECT * FROM 't' WHERE a = 1", true)] // WHERE reads the payload
    public void SelectStar_PassesTheCanonicalPayloadThrough_ParsingItOnlyWhenSomethingReadsIt(string sql, bool parsed)
    {
        var json = """{"a":1,"b":[2.5,"x"]}""";
        using var context = new EvalContext(new SqlMessage { Topic = "t", Payload = Encoding.UTF8.GetBytes(json) });
        var result = SqlStatement.Compile(sql).Evaluate(context);
        Assert.Equal(json, Encoding.UTF8.GetString(result.Payload!));
        Assert.Equal(parsed, context.PayloadParsed);
    }

    [Fact]
    public void InvalidUtf8_IsLeftToTheGeneralPath()
    {
        byte[] payload = [.. """{"a":" """u8[..6], 0xC3, 0x28, .. "\"}"u8];
        Assert.False(CanonicalJson.IsCanonicalObject(payload, SqlVersion.V2015_10_08));
    }

    [Fact]
    public void ConformancePayloads_SelectStarMatchesTheGeneralPath()
    {
        foreach (var vector in ConformanceVectors.Load())
        {
            foreach (var version in Versions)
            {
                AssertSelectStarMatchesGeneralPath(vector.Payload, version);
            }
        }
    }

    /// <summary>Random documents, written compactly, with whitespace, and as the general path writes them.</summary>
    [Fact]
    public void GeneratedPayloads_SelectStarMatchesTheGeneralPath()
    {
        var random = new Random(20261128);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var json = RandomObject(random, depth: 0);
            foreach (var version in Versions)
            {
                var compact = Encoding.UTF8.GetBytes(json);
                accepted += AssertSelectStarMatchesGeneralPath(compact, version) ? 1 : 0;
                var general = Encoding.UTF8.GetBytes(GeneralPath(compact, version));
                accepted += AssertSelectStarMatchesGeneralPath(general, version) ? 1 : 0;
                var spaced = Encoding.UTF8.GetBytes(json.Replace(",", ", ", StringComparison.Ordinal));
                AssertSelectStarMatchesGeneralPath(spaced, version);
            }
        }
        // Guard against a scan that (wrongly) rejects everything, which would pass the equality checks vacuously.
        Assert.True(accepted > 10_000, $"only {accepted} payloads passed through");
    }

    /// <summary>Asserts SELECT * gives the general path's output; returns whether the payload passed through.</summary>
    private static bool AssertSelectStarMatchesGeneralPath(byte[] payload, SqlVersion version)
    {
        var canonical = CanonicalJson.IsCanonicalObject(payload, version);
        var expected = GeneralPath(payload, version);
        if (canonical)
        {
            Assert.True(expected == Encoding.UTF8.GetString(payload),
                $"accepted as canonical but the general path writes it differently ({version}):\n{Encoding.UTF8.GetString(payload)}\n{expected}");
        }
        Assert.Equal(expected, Select(payload, version));
        return canonical;
    }

    private static string Select(byte[] payload, SqlVersion version)
    {
        var result = SqlStatement.Compile("SELECT * FROM 't'", version).Evaluate(new SqlMessage { Topic = "t", Payload = payload });
        Assert.True(result.IsMatch, result.Error);
        return Encoding.UTF8.GetString(result.Payload!);
    }

    /// <summary>What SELECT * wrote before the pass-through: the payload parsed, then written by SqlJson.</summary>
    private static string GeneralPath(byte[] payload, SqlVersion version)
    {
        var context = new EvalContext(new SqlMessage { Topic = "t", Payload = payload });
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        SqlJson.WritePayload(output, context.Payload, version);
        context.Dispose();
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string RandomObject(Random random, int depth)
    {
        var builder = new StringBuilder("{");
        var members = random.Next(0, 6);
        for (var i = 0; i < members; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }
            builder.Append(JsonSerializer.Serialize(RandomText(random, keys: true))).Append(':').Append(RandomValue(random, depth + 1));
        }
        return builder.Append('}').ToString();
    }

    private static string RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 6 : 8))
        {
            case 0: return random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" };
            case 1: return random.NextInt64(-10_000_000_000, 10_000_000_000).ToString(CultureInfo.InvariantCulture);
            case 2: return RandomDecimal(random);
            case 3: return RandomDecimal(random);
            case 4:
            case 5: return JsonSerializer.Serialize(RandomText(random, keys: false), new JsonSerializerOptions { Encoder = random.Next(2) == 0 ? null : System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            case 6:
                var items = Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth + 1));
                return "[" + string.Join(',', items) + "]";
            default: return RandomObject(random, depth);
        }
    }

    private static string RandomDecimal(Random random) => random.Next(8) switch
    {
        // Digit strings around the limits: 15 / 16 significant digits, 7 / 8 integer digits, 0.00x / 0.000x.
        6 or 7 => (random.Next(4) == 0 ? "-" : "") + RandomDigits(random, random.Next(0, 9)) + "."
            + new string('0', random.Next(0, 4)) + RandomDigits(random, random.Next(1, 15)),
        0 => (random.Next(-2000, 2000) / 100.0).ToString("R", CultureInfo.InvariantCulture),
        1 => (random.NextDouble() * Math.Pow(10, random.Next(-6, 10))).ToString("R", CultureInfo.InvariantCulture),
        2 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture) + "." + random.Next(0, 10_000).ToString("D" + random.Next(1, 5), CultureInfo.InvariantCulture),
        3 => random.Next(1, 100).ToString(CultureInfo.InvariantCulture) + "e" + random.Next(-5, 5).ToString(CultureInfo.InvariantCulture),
        4 => "0.00" + random.Next(0, 1000).ToString(CultureInfo.InvariantCulture),
        _ => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture) + ".0",
    };

    /// <summary>"0" for no digits, else <paramref name="count"/> digits without a leading zero.</summary>
    private static string RandomDigits(Random random, int count)
    {
        if (count == 0)
        {
            return "0";
        }
        var digits = new char[count];
        for (var i = 0; i < count; i++)
        {
            digits[i] = (char)('0' + random.Next(i == 0 ? 1 : 0, 10));
        }
        return new string(digits);
    }

    private static string RandomText(Random random, bool keys)
    {
        const string Alphabet = "abcdefXYZ0189 _-./\\\"é✓\n\t<>&'\u2028😀";
        var length = random.Next(keys ? 1 : 0, 8);
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var c = Alphabet[random.Next(Alphabet.Length)];
            if (char.IsHighSurrogate(c))
            {
                builder.Append("😀");
                continue;
            }
            if (char.IsLowSurrogate(c))
            {
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
