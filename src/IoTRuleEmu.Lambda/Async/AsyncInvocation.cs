using IoTRuleEmu.Lambda.Invocation;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>
/// An event Lambda accepted (202) and keeps in its async queue until it succeeds, runs out of attempts or is dropped.
/// The request id is the same for every attempt. Attempts are appended as they finish; the queue is the only writer.
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

    /// <summary>The event, exactly as Invoke received it.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>When Invoke accepted the event: the start of its age (MaximumEventAgeInSeconds, later).</summary>
    public DateTimeOffset AcceptedAt { get; }

    public InvokeCaller Caller { get; }

    /// <summary>Finished attempts, oldest first.</summary>
    public IReadOnlyList<AttemptRecord> Attempts => _attempts;

    /// <summary>When the next attempt is due, while a retry is scheduled.</summary>
    public DateTimeOffset? NextAttemptAt { get; internal set; }

    internal void AddAttempt(AttemptRecord attempt) => _attempts.Add(attempt);
}

/// <summary>One finished execution attempt.</summary>
/// <param name="Attempt">1-based.</param>
/// <param name="ErrorType">For a function error: the error type the runtime reported.</param>
public sealed record AttemptRecord(int Attempt, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, AttemptOutcome Outcome, string? ErrorType, string? ErrorMessage);

public enum AttemptOutcome : byte
{
    Success,
    /// <summary>A function error (<c>X-Amz-Function-Error: Unhandled</c>): thrown exception, timeout, crash.</summary>
    Unhandled,
}

/// <summary>How an async invocation ended (destination record <c>requestContext.condition</c>, later).</summary>
public enum AsyncInvocationCondition : byte
{
    Success,
    RetriesExhausted,
    /// <summary>Reserved: MaximumEventAgeInSeconds (with lookahead) ran out. Not produced yet.</summary>
    EventAgeExceeded,
    /// <summary>The function was deleted while the event waited.</summary>
    FunctionNotFound,
}

/// <summary>
/// Told when an async invocation ends. The seam for on-success/on-failure destinations and dead-letter queues.
/// Register with <c>TryAddEnumerable</c>; called on the queue's worker, so keep it quick or hand off.
/// </summary>
public interface IAsyncInvocationListener
{
    void OnCompleted(AsyncInvocation invocation, AsyncInvocationCondition condition);
}
