using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Audit;

namespace IoTRuleEmu.Engine.Tests.Audit;

/// <summary>A record is one line of a JSON-lines file, whatever payload it carries.</summary>
public class JsonLineTests
{
    private static string Line(string payload, bool checkedJson = false) => Encoding.UTF8.GetString(JsonLine.Serialize(payload, (w, p) =>
    {
        w.WriteStartObject();
        if (checkedJson)
        {
            JsonLine.WriteValidJson(w, "event", Encoding.UTF8.GetBytes(p));
        }
        else
        {
            JsonLine.WriteJsonOrString(w, "event", Encoding.UTF8.GetBytes(p));
        }
        w.WriteEndObject();
    }));

    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,null]}", "{\"event\":{\"a\":1,\"b\":[true,null]}}")]
    [InlineData("", "{\"event\":{}}")]
    [InlineData("42", "{\"event\":42}")]
    [InlineData("not json", "{\"event\":\"not json\"}")]
    [InlineData("{\"a\":", "{\"event\":\"{\\u0022a\\u0022:\"}")]
    [InlineData("{\n\"a\":\n", "{\"event\":\"{\\n\\u0022a\\u0022:\\n\"}")]
    [InlineData("{}\n{}", "{\"event\":\"{}\\n{}\"}")]
    public void Payload_IsItsJsonValue_OrAString(string payload, string expected) => Assert.Equal(expected, Line(payload));

    /// <summary>Checked JSON is copied as it is; only an empty or multi-line value takes the reading path.</summary>
    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,null]}", "{\"event\":{\"a\":1,\"b\":[true,null]}}")]
    [InlineData("{ \"spaced\" : [1, 2] }", "{\"event\":{ \"spaced\" : [1, 2] }}")]
    [InlineData("", "{\"event\":{}}")]
    [InlineData("{\n\"a\": 1\n}", "{\"event\":{\"a\":1}}")]
    public void ValidJson_IsCopied_AndStillOneLine(string json, string expected) =>
        Assert.Equal(expected, Line(json, checkedJson: true));

    [Theory]
    [InlineData("{\n  \"a\": 1,\r\n  \"s\": \"x y\"\n}\n")]
    [InlineData("\t[1,\n 2]")]
    public void PrettyPrintedPayload_StaysOnOneLine_WithItsValue(string payload)
    {
        var line = Line(payload);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        using var written = JsonDocument.Parse(line);
        using var original = JsonDocument.Parse(payload);
        Assert.True(JsonElement.DeepEquals(original.RootElement, written.RootElement.GetProperty("event")), line);
    }

    [Theory]
    [InlineData("", "[null]")]
    [InlineData("{\n \"ok\": true\n}", "[{\"ok\":true}]")]
    [InlineData("plain text", "[\"plain text\"]")]
    public void Value_WithEmptyAsNull_IsNullWhenEmpty_AndOtherwiseAsForAnEvent(string payload, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(JsonLine.Serialize(payload, static (w, p) =>
        {
            w.WriteStartArray();
            JsonLine.WriteJsonOrStringValue(w, Encoding.UTF8.GetBytes(p), emptyAsNull: true);
            w.WriteEndArray();
        })));

    [Fact]
    public void FormatUtcTime_IsTheInvariantCustomFormat_InUtc()
    {
        var random = new Random(20261128);
        var times = new List<DateTimeOffset>
        {
            new(1, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
            new(2026, 11, 28, 23, 30, 0, 999, TimeSpan.FromHours(-5)), // the next day in UTC
            new(2024, 2, 29, 0, 0, 0, 1, TimeSpan.FromHours(5.5)),
            new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).AddTicks(9_999), // below a millisecond: truncated
        };
        for (var i = 0; i < 2_000; i++)
        {
            times.Add(new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.Zero));
        }
        Span<byte> bytes = stackalloc byte[JsonLine.MaxUtcTimeBytes];
        foreach (var time in times)
        {
            var utc = time.UtcDateTime;
            Assert.Equal(utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                Encoding.UTF8.GetString(bytes[..JsonLine.FormatUtcTime(time, bytes, milliseconds: true)]));
            Assert.Equal(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                Encoding.UTF8.GetString(bytes[..JsonLine.FormatUtcTime(time, bytes, milliseconds: false)]));
        }
    }
}
