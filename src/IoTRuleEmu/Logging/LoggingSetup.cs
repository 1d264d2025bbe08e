using IoTRuleEmu.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace IoTRuleEmu.Logging;

/// <summary>Builds the Serilog logger: human-readable console lines by default, compact JSON with <c>--log-format json</c>.</summary>
public static class LoggingSetup
{
    /// <summary>The console line template for <see cref="LogFormat.Text"/>.</summary>
    public const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger CreateLogger(EmulatorOptions options, bool writeToConsole, Action<LoggerConfiguration>? configure)
    {
        var quietLevel = options.LogLevel <= LogEventLevel.Debug ? options.LogLevel : LogEventLevel.Warning;
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(options.LogLevel)
            .MinimumLevel.Override("Microsoft", quietLevel)
            // Kestrel would report the MQTT listener as "http://[::]:1883": the host logs its own start-up line instead.
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", quietLevel)
            .MinimumLevel.Override("System.Net.Http", quietLevel)
            .MinimumLevel.Override("MQTTnet", quietLevel)
            .Enrich.FromLogContext();
        if (writeToConsole)
        {
            if (Console.IsOutputRedirected)
            {
                // A container log, pipe or file: format and write in batches off the logging threads (no colours anyway).
                ITextFormatter formatter = options.LogFormat == LogFormat.Json
                    ? new CompactJsonFormatter()
                    : new TextLineFormatter();
                config.WriteTo.Sink(new BufferedConsoleSink(formatter));
            }
            else if (options.LogFormat == LogFormat.Json)
            {
                config.WriteTo.Console(new CompactJsonFormatter());
            }
            else
            {
                config.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        configure?.Invoke(config);
        return config.CreateLogger();
    }
}
