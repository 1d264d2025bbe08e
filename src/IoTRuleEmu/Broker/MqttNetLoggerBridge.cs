using System.Globalization;
using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;

namespace IoTRuleEmu.Broker;

/// <summary>Forwards MQTTnet's own log events to <see cref="ILogger"/> (category <c>MQTTnet.&lt;source&gt;</c>).</summary>
internal sealed class MqttNetLoggerBridge(ILoggerFactory loggerFactory) : IMqttNetLogger
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("MQTTnet");

    public bool IsEnabled => _logger.IsEnabled(LogLevel.Debug) || _logger.IsEnabled(LogLevel.Warning);

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var level = logLevel switch
        {
            MqttNetLogLevel.Verbose => LogLevel.Trace,
            MqttNetLogLevel.Info => LogLevel.Debug,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (!_logger.IsEnabled(level))
        {
            return;
        }
        var text = parameters is { Length: > 0 } ? string.Format(CultureInfo.InvariantCulture, message, parameters) : message;
        var eventId = level >= LogLevel.Error ? Logging.EventIds.MqttNetError : Logging.EventIds.MqttNetWarning;
#pragma warning disable CA1848, CA2254 // MQTTnet hands over preformatted text from many call sites.
        _logger.Log(level, new EventId(eventId), exception, "[{MqttNetSource}] {MqttNetMessage}", source, text);
#pragma warning restore CA1848, CA2254
    }
}
