using System.Buffers;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Dispatch;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRuleEmu.Broker;

/// <summary>
/// The engine's <see cref="IMessagePublisher"/> (republish): injects the message into MQTTnet for subscribers, tagged
/// with <see cref="MqttBroker.InjectedSessionItems"/> so the publish interceptor skips it, and feeds it to the rules
/// engine itself with its republish depth (the loop guard).
/// </summary>
public sealed partial class MqttNetPublisher(MqttServer server, IRuleEngine engine, TimeProvider time, ILogger<MqttNetPublisher> logger)
    : IMessagePublisher
{
    private long _publishedCount;

    /// <summary>Messages republished so far.</summary>
    public long PublishedCount => Interlocked.Read(ref _publishedCount);

    public async ValueTask PublishAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!server.IsStarted)
        {
            throw new InvalidOperationException($"Cannot republish to '{message.Topic}': the MQTT broker is not running.");
        }
        var application = MqttMessageFactory.Create(message.Topic, message.Payload, message.Qos, message.Retain, message.ContentType,
            message.PayloadIsUtf8, message.ResponseTopic, message.CorrelationData, message.MessageExpiryInterval, message.UserProperties);
        try
        {
            await server.InjectApplicationMessage(
                new InjectedMqttApplicationMessage(application)
                {
                    SenderClientId = MqttBroker.RulesEngineClientId,
                    CustomSessionItems = MqttBroker.InjectedSessionItems,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or MQTTnet.Exceptions.MqttProtocolViolationException)
        {
            Log.RepublishInvalidTopic(logger, message.Topic, message.SourceRuleName ?? "", ex.Message);
            throw new InvalidOperationException($"Cannot republish to '{message.Topic}': {ex.Message}", ex);
        }
        Interlocked.Increment(ref _publishedCount);

        // Republished messages are normal messages: they can trigger rules again, one level deeper.
        var inbound = InboundMessage.FromRepublish(message, time.GetUtcNow());
        // This runs inside a rule action: waiting forever for room in a full queue could deadlock the engine on its
        // own queue, so wait a bounded (real) time, then report the message as not evaluated.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EngineQueueWait);
        try
        {
            await engine.EnqueueAsync(inbound, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RepublishNotEvaluated(logger, message.Topic, message.SourceRuleName ?? "", "the rules engine queue stayed full");
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            Log.RepublishNotEvaluated(logger, message.Topic, message.SourceRuleName ?? "", "the rules engine is shutting down");
        }
    }

    /// <summary>How long a republish waits for room in a full engine queue before giving up on rule evaluation.</summary>
    public static TimeSpan EngineQueueWait { get; } = TimeSpan.FromSeconds(5);

    private static partial class Log
    {
        [LoggerMessage(Logging.EventIds.RepublishInvalidTopic, LogLevel.Warning, "Republish by rule {RuleName} to {Topic} refused: {Reason}")]
        public static partial void RepublishInvalidTopic(ILogger logger, string topic, string ruleName, string reason);

        [LoggerMessage(Logging.EventIds.RepublishNotEvaluated, LogLevel.Warning, "Message republished by rule {RuleName} to {Topic} was delivered to subscribers but not evaluated by the rules: {Reason}")]
        public static partial void RepublishNotEvaluated(ILogger logger, string topic, string ruleName, string reason);
    }
}
