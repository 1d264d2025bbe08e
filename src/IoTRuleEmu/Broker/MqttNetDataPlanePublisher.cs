using System.Buffers;
using System.Collections.Concurrent;
using IoTRuleEmu.AwsApi.IotData;
using IoTRuleEmu.Engine.Dispatch;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRuleEmu.Broker;

/// <summary>
/// The IoT data plane (<c>aws iot-data publish</c>, retained messages) over the broker: a published message is injected
/// for subscribers (tagged, so the publish interceptor skips it) and fed to the rules engine once, without a client id
/// (<c>clientid()</c> = "n/a", <c>traceid()</c> Undefined). Basic Ingest topics go to the engine only.
/// </summary>
public sealed class MqttNetDataPlanePublisher(MqttServer server, IRuleEngine engine, TimeProvider time) : IDataPlanePublisher
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _retainedAt = new(StringComparer.Ordinal);

    public async ValueTask PublishAsync(DataPlaneMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Topic.StartsWith("$aws/rules/", StringComparison.Ordinal))
        {
            if (!server.IsStarted)
            {
                throw new InvalidOperationException("The MQTT broker is not running.");
            }
            var application = MqttMessageFactory.Create(message.Topic, message.Payload, message.Qos, message.Retain, message.ContentType,
                message.PayloadIsUtf8, message.ResponseTopic, message.CorrelationData, message.MessageExpiryInterval, message.UserProperties);
            await server.InjectApplicationMessage(
                new InjectedMqttApplicationMessage(application) { CustomSessionItems = MqttBroker.InjectedSessionItems },
                cancellationToken).ConfigureAwait(false);
            if (message.Retain)
            {
                if (message.Payload.IsEmpty)
                {
                    _retainedAt.TryRemove(message.Topic, out _);
                }
                else
                {
                    _retainedAt[message.Topic] = message.ReceivedAt;
                }
            }
        }
        await engine.EnqueueAsync(message.ToInboundMessage(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RetainedMessage?> GetRetainedMessageAsync(string topic, CancellationToken cancellationToken)
    {
        var message = await server.GetRetainedMessageAsync(topic).ConfigureAwait(false);
        return message is null ? null : Convert(message);
    }

    public async ValueTask<IReadOnlyList<RetainedMessage>> ListRetainedMessagesAsync(CancellationToken cancellationToken)
    {
        var messages = await server.GetRetainedMessagesAsync().ConfigureAwait(false);
        return [.. messages.Select(Convert)];
    }

    private RetainedMessage Convert(MqttApplicationMessage m) => new(
        m.Topic,
        m.Payload.ToArray(),
        (int)m.QualityOfServiceLevel,
        _retainedAt.TryGetValue(m.Topic, out var at) ? at : time.GetUtcNow(),
        m.UserProperties is { Count: > 0 } props ? [.. props.Select(p => new KeyValuePair<string, string>(p.Name, p.ReadValueAsString()))] : []);
}
