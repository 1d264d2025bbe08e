using System.Text;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Serilog;
using Serilog.Extensions.Logging;

namespace IoTRuleEmu.Tests.Logging;

/// <summary>
/// <see cref="TextLineLogger"/> writes the line Serilog's path (<see cref="TextLineFormatter"/> on a Serilog event) writes
/// for the same call, only without building the event; events it cannot render the same way go through Serilog.
/// </summary>
public sealed partial class TextLineLoggerTests
{
    private const string Category = "IoTRuleEmu.Engine.Dispatch.RuleEngine";

    // Far from any time of day a test runs at, so a line stamped by the fake clock shows it took the direct path.
    private static readonly DateTimeOffset s_fakeNow = new(2001, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);

    [LoggerMessage(1001, LogLevel.Information, "Rule {RuleName} dispatching {ActionKey} action {ActionIndex} for {Topic} (trace {TraceId})")]
    private static partial void Dispatching(Microsoft.Extensions.Logging.ILogger logger, string ruleName, string actionKey, int actionIndex, string topic, string traceId);

    [LoggerMessage(1002, LogLevel.Information,
        "CloudTrail {EventSource} {EventName} by {InvokedBy} on {FunctionArn} requestID {RequestId} eventID {CloudTrailEventId} at {EventTime}: {Record}")]
    private static partial void CloudTrail(Microsoft.Extensions.Logging.ILogger logger, string eventSource, string eventName, string invokedBy, string functionArn,
        string requestId, string cloudTrailEventId, string eventTime, string record);

    [LoggerMessage(1006, LogLevel.Information, "CloudTrail {EventName}: {Record}")]
    private static partial void CloudTrailUtf8(Microsoft.Extensions.Logging.ILogger logger, string eventName, Utf8LogValue record);

    [LoggerMessage(1003, LogLevel.Debug, "Invocation of {FunctionName} attempt {Attempt} of {Total}: {ErrorMessage} {{literal braces}} é ✓ 🎉")]
    private static partial void Attempt(Microsoft.Extensions.Logging.ILogger logger, string functionName, int attempt, long total, string? errorMessage);

    [LoggerMessage(1004, LogLevel.Warning, "retry in {DelaySeconds} s")]
    private static partial void Retry(Microsoft.Extensions.Logging.ILogger logger, double delaySeconds);

    [LoggerMessage(1005, LogLevel.Error, "count {Count:N0} padded {Name,8}")]
    private static partial void Formatted(Microsoft.Extensions.Logging.ILogger logger, int count, string name);

    public static TheoryData<string> Direct() => [.. s_direct.Keys];

    public static TheoryData<string> ThroughSerilog() => [.. s_throughSerilog.Keys];

    private static readonly Dictionary<string, Action<Microsoft.Extensions.Logging.ILogger>> s_direct = new()
    {
        ["strings and an int ([LoggerMessage])"] = l => Dispatching(l, "r1", "lambda", 0, "bench/1/x", "8d1c-trace"),
        ["eight strings, JSON with quotes"] = l => CloudTrail(l, "lambda.amazonaws.com", "Invoke", "iot.amazonaws.com",
            "arn:aws:lambda:us-east-1:123456789012:function:f", "req-1", "ev-1", "2026-11-28T09:05:07Z", "{\"a\":\"b \\\" c\",\"n\":[1,2]}"),
        ["UTF-8 value"] = l => CloudTrailUtf8(l, "InvokeExecution",
            new Utf8LogValue(Encoding.UTF8.GetBytes("{\"eventName\":\"InvokeExecution\",\"s\":\"é ✓ \\\" 🎉\"}"))),
        ["debug, long, null, escaped braces, non-ASCII"] = l => Attempt(l, "fn", 2, long.MinValue, null),
        ["LogInformation with arguments"] = l => l.LogInformation("Loaded {RuleCount} rules from {RulesDirectory}", 12, "/rules"),
        ["no placeholders"] = l => l.LogWarning("plain text"),
        ["negative int, empty string"] = l => Dispatching(l, "", "republish", -3, "t", ""),
    };

    private static readonly Dictionary<string, Action<Microsoft.Extensions.Logging.ILogger>> s_throughSerilog = new()
    {
        ["a double"] = l => Retry(l, 60.5),
        ["format and alignment"] = l => Formatted(l, 12345, "x"),
        ["an exception"] = l => l.LogError(new InvalidOperationException("boom"), "failed {What}", "everything"),
        ["a destructured value"] = l => l.LogInformation("shape {@Shape}", new { X = 1 }),
        ["a repeated name"] = l => l.LogInformation("{A} and {A}", "one", "two"),
        ["a bool"] = l => l.LogInformation("flag {Flag}", true),
    };

    [Theory]
    [MemberData(nameof(Direct))]
    public void PlainEvents_AreRenderedDirectly_AsSerilogWouldWriteThem(string name)
    {
        var (direct, serilog) = LogBothWays(s_direct[name]);
        Assert.StartsWith("[04:05:06.789 ", direct, StringComparison.Ordinal);
        Assert.Equal(WithoutTime(serilog), WithoutTime(direct));
    }

    [Theory]
    [MemberData(nameof(ThroughSerilog))]
    public void OtherEvents_GoThroughSerilog(string name)
    {
        var (direct, serilog) = LogBothWays(s_throughSerilog[name]);
        Assert.DoesNotContain("04:05:06.789", direct, StringComparison.Ordinal);
        Assert.Equal(WithoutTime(serilog), WithoutTime(direct));
    }

    [Fact]
    public void Levels_AndPerCategoryOverrides_AreSerilogs()
    {
        var output = new MemoryStream();
        var sink = new BufferedConsoleSink(new TextLineFormatter(), output);
        using var serilog = new LoggerConfiguration().MinimumLevel.Information()
            .MinimumLevel.Override("Quiet", Serilog.Events.LogEventLevel.Warning).WriteTo.Sink(sink).CreateLogger();
        using var factory = new TextLineLoggerFactory(new SerilogLoggerFactory(serilog), sink, new FakeTimeProvider(s_fakeNow));
        var loud = factory.CreateLogger(Category);
        var quiet = factory.CreateLogger("Quiet.Component");

        Assert.False(loud.IsEnabled(LogLevel.Debug));
        Assert.True(loud.IsEnabled(LogLevel.Information));
        Assert.False(quiet.IsEnabled(LogLevel.Information));
        Attempt(loud, "fn", 1, 1, "hidden: debug");
        quiet.Log(LogLevel.Information, "hidden: overridden {X}", 1);
        quiet.Log(LogLevel.Warning, "shown {X}", 2);
        loud.Log(LogLevel.Critical, "shown {X}", 3);
        sink.Dispose();

        Assert.Equal(
            ["[04:05:06.789 WRN] Quiet.Component: shown 2", $"[04:05:06.789 FTL] {Category}: shown 3"],
            Lines(output));
    }

    [Fact]
    public void Utf8LogValue_IsLoggedAsItsString_InCompactJsonToo()
    {
        const string Record = "{\"eventName\":\"Invoke\",\"s\":\"é \\\" 🎉\"}";
        var output = new StringWriter();
        using (var serilog = new LoggerConfiguration().WriteTo.Sink(new TextWriterSink(output)).CreateLogger())
        {
            var logger = new SerilogLoggerFactory(serilog).CreateLogger(Category);
            logger.LogInformation("CloudTrail {Record}", Record);
            logger.LogInformation("CloudTrail {Record}", new Utf8LogValue(Encoding.UTF8.GetBytes(Record)));
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(WithoutTimestamp(lines[0]), WithoutTimestamp(lines[1]));
        Assert.Contains("\"Record\":\"{\\\"eventName\\\"", lines[1], StringComparison.Ordinal);

        static string WithoutTimestamp(string json) => json[json.IndexOf("\"@mt\"", StringComparison.Ordinal)..];
    }

    private sealed class TextWriterSink(TextWriter output) : Serilog.Core.ILogEventSink
    {
        private readonly Serilog.Formatting.Compact.CompactJsonFormatter _formatter = new();

        public void Emit(Serilog.Events.LogEvent logEvent) => _formatter.Format(logEvent, output);
    }

    /// <summary>Runs <paramref name="log"/> through a <see cref="TextLineLoggerFactory"/> and through Serilog's factory alone.</summary>
    private static (string Direct, string Serilog) LogBothWays(Action<Microsoft.Extensions.Logging.ILogger> log)
    {
        var output = new MemoryStream();
        var sink = new BufferedConsoleSink(new TextLineFormatter(), output);
        using (var serilog = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger())
        {
            var serilogFactory = new SerilogLoggerFactory(serilog);
            var factory = new TextLineLoggerFactory(serilogFactory, sink, new FakeTimeProvider(s_fakeNow));
            log(factory.CreateLogger(Category));
            log(serilogFactory.CreateLogger(Category));
        }
        sink.Dispose();
        var text = Encoding.UTF8.GetString(output.ToArray());
        var split = text.IndexOf("\n[", StringComparison.Ordinal) + 1;
        Assert.True(split > 0, text);
        return (text[..split], text[split..]);
    }

    private static string WithoutTime(string line) => line[13..];

    private static string[] Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
