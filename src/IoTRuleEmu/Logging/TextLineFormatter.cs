using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace IoTRuleEmu.Logging;

/// <summary>
/// Writes <see cref="LoggingSetup.TextTemplate"/> lines (<c>[HH:mm:ss.fff LVL] SourceContext: message</c>, strings
/// literal, structures as JSON, then the exception) without interpreting an output template per event. Standard output
/// carries several lines per message (every CloudTrail record, the engine's events), so this runs tens of thousands of
/// times a second under load; Serilog's <c>MessageTemplateTextFormatter</c> produced the same text at about twice the cost.
/// </summary>
public sealed class TextLineFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter s_json = new("$type");
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        Span<char> time = stackalloc char[12];
        output.Write('[');
        if (logEvent.Timestamp.TryFormat(time, out var written, "HH:mm:ss.fff", s_culture))
        {
            output.Write(time[..written]);
        }
        output.Write(' ');
        output.Write(Abbreviation(logEvent.Level));
        output.Write("] ");
        if (logEvent.Properties.TryGetValue("SourceContext", out var source))
        {
            WriteLiteral(source, null, output);
        }
        output.Write(": ");
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case TextToken text:
                    output.Write(text.Text);
                    break;
                case PropertyToken property when logEvent.Properties.TryGetValue(property.PropertyName, out var value):
                    WriteLiteral(value, property.Format, output);
                    break;
                default:
                    // A property the event does not carry: its placeholder, as Serilog renders it.
                    output.Write(token.ToString());
                    break;
            }
        }
        output.Write(Environment.NewLine);
        if (logEvent.Exception is { } exception)
        {
            output.Write(exception.ToString());
            output.Write(Environment.NewLine);
        }
    }

    /// <summary>The <c>:lj</c> rendering: strings without quotes; a placeholder's own format if it has one; else JSON.</summary>
    private static void WriteLiteral(LogEventPropertyValue value, string? format, TextWriter output)
    {
        if (value is ScalarValue { Value: string text })
        {
            output.Write(text);
        }
        else if (format is null)
        {
            s_json.Format(value, output);
        }
        else
        {
            value.Render(output, format, s_culture);
        }
    }

    /// <summary>Serilog's three-letter level names (<c>{Level:u3}</c>).</summary>
    internal static string Abbreviation(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "VRB",
        LogEventLevel.Debug => "DBG",
        LogEventLevel.Information => "INF",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Error => "ERR",
        _ => "FTL",
    };
}
