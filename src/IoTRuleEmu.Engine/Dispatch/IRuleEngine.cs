namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// The entry point for messages. Enqueueing only writes to a bounded channel; worker tasks evaluate rules and run actions,
/// so callers (the broker's receive path) never wait for rule work.
/// </summary>
public interface IRuleEngine
{
    /// <summary>Queues <paramref name="message"/> without waiting. False (and a log line) when the queue is full: the message is dropped.</summary>
    bool TryEnqueue(InboundMessage message);

    /// <summary>Queues <paramref name="message"/>, waiting for room when the queue is full.</summary>
    ValueTask EnqueueAsync(InboundMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when every queued message has been evaluated and every rule execution started for it (actions and error
    /// action) has finished. Meant for tests and orderly shutdown. Lambda's own async queue is separate.
    /// </summary>
    Task WhenIdleAsync(CancellationToken cancellationToken = default);
}
