using IoTRuleEmu.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace IoTRuleEmu.Logging;

/// <summary>Builds the Serilog logger: human-readable console lines by default, compact JSON with <c>--log-format json</c>.</summary>
public static class LoggingSetup
{
    /// <summary>The console line template for <see cref="LogFormat.Text"/>.</summary>
    public const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Routes Microsoft.Extensions.Logging through Serilog. When the batching console sink is the one sink and the format
    /// is text, loggers render plain events themselves (<see cref="TextLineLogger"/>): the same lines, without Serilog's
    /// events.
    /// </summary>
    public static void AddSerilog(
        IServiceCollection services, EmulatorOptions options, bool writeToConsole, Action<LoggerConfiguration>? configure,
        Stream? output = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var logger = CreateLogger(options, writeToConsole, configure, out var textSink, output);
        services.AddSerilog(logger, dispose: true);
        if (textSink is not null && configure is null)
        {
            // Log lines carry wall-clock time, as Serilog stamps them, even when the emulator runs on a virtual clock.
            services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(
                _ => new TextLineLoggerFactory(new SerilogLoggerFactory(logger, dispose: true), textSink, TimeProvider.System)));
        }
    }

    /// <summary>
    /// The Serilog logger; <paramref name="textSink"/> is the batching console sink when it writes text lines. With
    /// <paramref name="output"/> the lines go there, as to a redirected console.
    /// </summary>
    public static Serilog.Core.Logger CreateLogger(EmulatorOptions options, bool writeToConsole, Action<LoggerConfiguration>? configure,
        out BufferedConsoleSink? textSink, Stream? output = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        textSink = null;
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
            if (output is not null || Console.IsOutputRedirected)
            {
                // A container log, pipe or file: format and write in batches off the logging threads (no colours anyway).
                output ??= Console.OpenStandardOutput();
                if (options.LogFormat == LogFormat.Json)
                {
                    config.WriteTo.Sink(new BufferedConsoleSink(new CompactJsonFormatter(), output));
                }
                else
                {
                    textSink = new BufferedConsoleSink(new TextLineFormatter(), output);
                    config.WriteTo.Sink(textSink);
                }
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
