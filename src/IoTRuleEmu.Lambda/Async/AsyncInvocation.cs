using IoTRuleEmu.Lambda.Invocation;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>
/// An event Lambda accepted (202) and keeps in its async queue until it succeeds, runs out of attempts or ages out.
/// The request id is the same for every attempt. Attempts are appended as they finish; the queue is the only writer.
/// The whole object is persisted (<see cref="IAsyncInvocationStore"/>) so pending events survive a restart.
/// </summary>
public sealed class AsyncInvocation
{
    private readonly List<AttemptRecord> _attempts = new(3);

    public AsyncInvocation(string requestId, string functionName, string functionArn, ReadOnlyMemory<byte> payload, DateTimeOffset acceptedAt, InvokeCaller caller)
    {
        RequestId = requestId;
        FunctionName = functionName;
        FunctionArn = functionArn;
        Payload = payload;
        AcceptedAt = acceptedAt;
        Caller = caller;
    }

    public string RequestId { get; }

    public string FunctionName { get; }

    /// <summary>Unqualified ARN.</summary>
    public string FunctionArn { get; }

    /// <summary>The qualifier invoked (null = <c>$LATEST</c>): selects the EventInvokeConfig.</summary>
    public string? Qualifier { get; init; }

    /// <summary>The event, exactly as Invoke received it.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// True when Invoke has just checked that <see cref="Payload"/> is one JSON value (it rejects anything else), so the
    /// logs may copy it without reading it again; false for an event loaded back from the state database.
    /// </summary>
    public bool PayloadIsValidJson { get; init; }

    /// <summary>When Invoke accepted the event: the start of its age (MaximumEventAgeInSeconds).</summary>
    public DateTimeOffset AcceptedAt { get; }

    public InvokeCaller Caller { get; }

    /// <summary>Finished attempts, oldest first.</summary>
    public IReadOnlyList<AttemptRecord> Attempts => _attempts;

    /// <summary>When the next attempt is due, while a retry (or a throttled attempt) is scheduled.</summary>
    public DateTimeOffset? NextAttemptAt { get; internal set; }

    /// <summary>How many times the event was throttled (reserved concurrency full); drives the 1 s … 5 min backoff.</summary>
    public int Throttles { get; internal set; }

    internal void AddAttempt(AttemptRecord attempt) => _attempts.Add(attempt);
}

/// <summary>One finished execution attempt.</summary>
/// <param name="Attempt">1-based.</param>
/// <param name="ErrorType">For a function error: the error type the runtime reported.</param>
public sealed record AttemptRecord(int Attempt, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, AttemptOutcome Outcome, string? ErrorType, string? ErrorMessage)
{
    /// <summary>The function's response, or for a function error the error document (destination <c>responsePayload</c>).</summary>
    public ReadOnlyMemory<byte> Response { get; init; }
}

public enum AttemptOutcome : byte
{
    Success,
    /// <summary>A function error (<c>X-Amz-Function-Error: Unhandled</c>): thrown exception, timeout, crash.</summary>
    Unhandled,
}

/// <summary>How an async invocation ended (destination record <c>requestContext.condition</c>).</summary>
public enum AsyncInvocationCondition : byte
{
    Success,
    RetriesExhausted,
    /// <summary>MaximumEventAgeInSeconds ran out, or no retry could start before it would (lookahead).</summary>
    EventAgeExceeded,
    /// <summary>The function was deleted while the event waited (no destination record: AWS has no such condition).</summary>
    FunctionNotFound,
    /// <summary>Reserved concurrency 0: the event went to the failure destination/DLQ without running.</summary>
    ZeroReservedConcurrency,
}

/// <summary>
/// Told when an async invocation ends: on-success/on-failure destinations and dead-letter queues. Register with
/// <c>TryAddEnumerable</c>. Awaited on the queue's worker before the event counts as done (so "idle" includes delivery).
/// </summary>
public interface IAsyncInvocationListener
{
    ValueTask OnCompletedAsync(AsyncInvocation invocation, AsyncInvocationCondition condition, CancellationToken cancellationToken);
}
