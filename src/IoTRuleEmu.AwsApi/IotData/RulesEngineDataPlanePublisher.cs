using System.Collections.Concurrent;
using IoTRuleEmu.Engine.Dispatch;

namespace IoTRuleEmu.AwsApi.IotData;

/// <summary>
/// The default <see cref="IDataPlanePublisher"/> when no broker is wired: sends each message to the rules engine and keeps
/// retained messages in memory. The host replaces it with one that also delivers to MQTT subscribers.
/// </summary>
public sealed class RulesEngineDataPlanePublisher(IRuleEngine engine) : IDataPlanePublisher
{
    private readonly ConcurrentDictionary<string, RetainedMessage> _retained = new(StringComparer.Ordinal);

    public async ValueTask PublishAsync(DataPlaneMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Retain)
        {
            if (message.Payload.IsEmpty)
            {
                _retained.TryRemove(message.Topic, out _);
            }
            else
            {
                _retained[message.Topic] = new RetainedMessage(message.Topic, message.Payload.ToArray(), message.Qos, message.ReceivedAt, message.UserProperties);
            }
        }
        var inbound = message.ToInboundMessage();
        if (!engine.TryEnqueue(inbound))
        {
            await engine.EnqueueAsync(inbound, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<RetainedMessage?> GetRetainedMessageAsync(string topic, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_retained.TryGetValue(topic, out var message) ? message : null);

    public ValueTask<IReadOnlyList<RetainedMessage>> ListRetainedMessagesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<RetainedMessage>>([.. _retained.Values]);
}
