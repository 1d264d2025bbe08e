using System.Globalization;
using IoTRuleEmu.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace IoTRuleEmu.Tests.Logging;

/// <summary>
/// <see cref="TextLineFormatter"/> must write exactly what Serilog's formatter writes for <see cref="LoggingSetup.TextTemplate"/>
/// (people and scripts read these lines); it only does it faster.
/// </summary>
public class TextLineFormatterTests
{
    private static readonly MessageTemplateParser s_parser = new();
    private static readonly DateTimeOffset s_time = new(2026, 11, 28, 9, 5, 7, 42, TimeSpan.Zero);

    private static LogEvent Event(LogEventLevel level, string template, Exception? exception = null, params (string Name, LogEventPropertyValue Value)[] properties) =>
        new(s_time, level, exception, s_parser.Parse(template), properties.Select(p => new LogEventProperty(p.Name, p.Value)));

    private static string Serilog(LogEvent e)
    {
        var writer = new StringWriter();
        new MessageTemplateTextFormatter(LoggingSetup.TextTemplate, CultureInfo.InvariantCulture).Format(e, writer);
        return writer.ToString();
    }

    private static string Ours(LogEvent e)
    {
        var writer = new StringWriter();
        new TextLineFormatter().Format(e, writer);
        return writer.ToString();
    }

    public static TheoryData<string> Cases() => [.. s_cases.Keys];

    private static readonly Dictionary<string, LogEvent> s_cases = new()
    {
        ["strings, int, source"] = Event(LogEventLevel.Information, "Rule {RuleName} dispatching {ActionKey} action {ActionIndex} for {Topic} (trace {TraceId})", null,
            ("SourceContext", new ScalarValue("IoTRuleEmu.Engine.Dispatch.RuleEngine")), ("RuleName", new ScalarValue("r1")), ("ActionKey", new ScalarValue("lambda")),
            ("ActionIndex", new ScalarValue(0)), ("Topic", new ScalarValue("a/b")), ("TraceId", new ScalarValue("t-1"))),
        ["json payload string with quotes"] = Event(LogEventLevel.Information, "CloudTrail {EventName}: {Record}", null,
            ("SourceContext", new ScalarValue("IoTRuleEmu.Lambda.CloudTrail")), ("EventName", new ScalarValue("Invoke")), ("Record", new ScalarValue("{\"a\":\"b \\\" c\",\"n\":1}"))),
        ["double, date with format, null"] = Event(LogEventLevel.Warning, "retry in {DelaySeconds} s at {DueTime:o}; rule {RuleName}", null,
            ("SourceContext", new ScalarValue("x")), ("DelaySeconds", new ScalarValue(60.5)), ("DueTime", new ScalarValue(s_time.AddMinutes(1))), ("RuleName", new ScalarValue(null))),
        ["missing property and no source"] = Event(LogEventLevel.Debug, "value {Missing} and {Present}", null, ("Present", new ScalarValue(true)), ("Unused", new ScalarValue(1))),
        ["date and guid without format, long, decimal"] = Event(LogEventLevel.Information, "at {When} id {Id} n {N} d {D}", null,
            ("When", new ScalarValue(s_time)), ("Id", new ScalarValue(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"))), ("N", new ScalarValue(long.MaxValue)), ("D", new ScalarValue(1.10m))),
        ["sequence and structure"] = Event(LogEventLevel.Error, "items {Items} in {Shape}", null,
            ("Items", new SequenceValue([new ScalarValue(1), new ScalarValue("two")])),
            ("Shape", new StructureValue([new LogEventProperty("X", new ScalarValue(1.25)), new LogEventProperty("Name", new ScalarValue("n"))], "Point"))),
        ["exception"] = Event(LogEventLevel.Fatal, "failed {What}", new InvalidOperationException("boom"), ("What", new ScalarValue("everything"))),
        ["verbose, no properties, braces"] = Event(LogEventLevel.Verbose, "plain text with {{braces}}"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WritesWhatSerilogsOutputTemplateWrites(string name)
    {
        var e = s_cases[name];
        Assert.Equal(Serilog(e), Ours(e));
    }
}
