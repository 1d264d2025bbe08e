using System.Collections.Concurrent;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Dispatch;

namespace IoTRuleEmu.Testing;

/// <summary>
/// An <see cref="IMessagePublisher"/> that records what was published and, like the host's MQTTnet publisher, feeds each
/// message back into the rules engine with its republish depth.
/// </summary>
public sealed class InMemoryPublisher(TimeProvider time) : IMessagePublisher
{
    private readonly ConcurrentQueue<OutboundMessage> _published = new();

    /// <summary>Set by the harness once the engine exists.</summary>
    public IRuleEngine? Engine { get; set; }

    /// <summary>When set, PublishAsync throws this (to test failures).</summary>
    public Exception? FailWith { get; set; }

    public IReadOnlyList<OutboundMessage> Published => [.. _published];

    public ValueTask PublishAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (FailWith is { } ex)
        {
            throw ex;
        }
        _published.Enqueue(message);
        Engine?.TryEnqueue(InboundMessage.FromRepublish(message, time.GetUtcNow()));
        return ValueTask.CompletedTask;
    }
}
