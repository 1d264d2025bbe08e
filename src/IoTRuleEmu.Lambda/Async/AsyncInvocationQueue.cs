using System.Threading.Channels;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Lambda.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>Lambda's internal queue for Event invocations.</summary>
public interface IAsyncInvocationQueue
{
    /// <summary>Queues an invocation for its next step (the caller has already stored it). Never waits.</summary>
    void Enqueue(AsyncInvocation invocation);

    /// <summary>
    /// Queues a just-accepted invocation for its first attempt, waiting while
    /// <see cref="LambdaEmulatorOptions.MaxQueuedEvents"/> accepted events wait for theirs (back-pressure to the caller).
    /// </summary>
    ValueTask EnqueueAcceptedAsync(AsyncInvocation invocation, CancellationToken cancellationToken = default);

    /// <summary>Invocations waiting for a retry (or throttle backoff) timer.</summary>
    int ScheduledRetries { get; }

    /// <summary>
    /// Completes when no attempt is queued or running and no destination is being delivered. Invocations waiting for a
    /// timer do not count: their timers are registered by then, so a test can advance a fake clock right after this completes.
    /// </summary>
    Task WhenIdleAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Runs async invocations (lambda-async.md §1): a channel of due events drained by a worker that starts each step as its
/// own task (at most <see cref="LambdaEmulatorOptions.MaxConcurrentExecutions"/> at once). A step: the event ages out
/// (<c>EventAgeExceeded</c>), goes straight to failure handling (reserved concurrency 0: <c>ZeroReservedConcurrency</c>),
/// is throttled (reserved concurrency in use: back off 1 s, 2 s, … 5 min without using a retry), or runs an attempt with
/// the function's timeout. Each attempt writes an <c>InvokeExecution</c> CloudTrail record and an invocations.jsonl line;
/// a function error asks the <see cref="IRetryPolicy"/>. Every state change is stored (<see cref="IAsyncInvocationStore"/>)
/// so pending events resume after a restart. When an event ends, the <see cref="IAsyncInvocationListener"/>s
/// (destinations, DLQ) run.
/// </summary>
public sealed partial class AsyncInvocationQueue : IAsyncInvocationQueue, IAsyncDisposable
{
    /// <summary>Throttle backoff cap (AWS: 5 minutes).</summary>
    public static readonly TimeSpan MaxThrottleBackoff = TimeSpan.FromMinutes(5);

    private readonly Channel<QueuedStep> _channel = Channel.CreateUnbounded<QueuedStep>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IdleTracker _tracker = new();
    private readonly IFunctionRegistry _functions;
    private readonly ICloudTrailLog _cloudTrail;
    private readonly IInvocationLog _invocations;
    private readonly IRetryPolicy _retryPolicy;
    private readonly IRetryScheduler _scheduler;
    private readonly IEnumerable<IAsyncInvocationListener> _listeners;
    private readonly IAsyncInvocationStore _store;
    private readonly FunctionExecutor _executor;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _engineOptions;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    // Room for accepted events waiting for their first attempt; null: no bound.
    private readonly SemaphoreSlim? _room;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task? _worker;

    public AsyncInvocationQueue(
        IFunctionRegistry functions,
        ICloudTrailLog cloudTrail,
        IInvocationLog invocations,
        IRetryPolicy retryPolicy,
        IRetryScheduler scheduler,
        IEnumerable<IAsyncInvocationListener> listeners,
        IAsyncInvocationStore store,
        FunctionExecutor executor,
        TimeProvider timeProvider,
        IOptions<RuleEngineOptions> engineOptions,
        IOptions<LambdaEmulatorOptions> options,
        ILogger<AsyncInvocationQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(options);
        _functions = functions;
        _cloudTrail = cloudTrail;
        _invocations = invocations;
        _retryPolicy = retryPolicy;
        _scheduler = scheduler;
        _listeners = listeners;
        _store = store;
        _executor = executor;
        _time = timeProvider;
        _engineOptions = engineOptions.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentExecutions));
        var room = options.Value.MaxQueuedEvents;
        _room = room > 0 ? new SemaphoreSlim(room, room) : null;
    }

    public int ScheduledRetries => _scheduler.Pending;

    public void Enqueue(AsyncInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        Write(new QueuedStep(invocation, HoldsRoom: false));
    }

    public async ValueTask EnqueueAcceptedAsync(AsyncInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (_room is null)
        {
            Write(new QueuedStep(invocation, HoldsRoom: false));
            return;
        }
        if (!_room.Wait(0))
        {
            // Attempts are behind by MaxQueuedEvents: the caller (a rule, and through the engine the publishers) waits.
            LogQueueFull(_logger, invocation.FunctionName, invocation.RequestId, _room.CurrentCount);
            await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        Write(new QueuedStep(invocation, HoldsRoom: true));
    }

    private void Write(QueuedStep step)
    {
        _tracker.Enter();
        if (!_channel.Writer.TryWrite(step))
        {
            // Stopped: the event stays in the store and resumes at the next start.
            _tracker.Exit();
            if (step.HoldsRoom)
            {
                _room!.Release();
            }
            LogNotRunNow(_logger, step.Invocation.FunctionName, step.Invocation.RequestId);
        }
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _tracker.WhenIdleAsync(cancellationToken);

    /// <summary>Starts the worker and resumes every stored event on its schedule (due ones at once).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_worker is not null)
        {
            return Task.CompletedTask;
        }
        _worker = Task.Run(() => WorkAsync(_stopping.Token), CancellationToken.None);
        IReadOnlyList<AsyncInvocation> pending;
        try
        {
            pending = _store.LoadPending();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStoreFailed(_logger, ex, "load", "-");
            pending = [];
        }
        if (pending.Count > 0)
        {
            var now = _time.GetUtcNow();
            var scheduled = 0;
            foreach (var invocation in pending)
            {
                if (invocation.NextAttemptAt is { } next && next > now)
                {
                    scheduled++;
                    _scheduler.Schedule(next - now, () => Enqueue(invocation));
                }
                else
                {
                    Enqueue(invocation);
                }
            }
            LogResumed(_logger, pending.Count, pending.Count - scheduled, scheduled);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        try
        {
            if (_worker is not null)
            {
                await _worker.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            await _tracker.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered under two service types: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_worker is not null)
        {
            try
            {
                await _worker.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stopping.Dispose();
        _slots.Dispose();
        _room?.Dispose();
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var step))
                {
                    if (step.HoldsRoom)
                    {
                        _room!.Release();
                    }
                    await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _ = RunStepAsync(step.Invocation, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunStepAsync(AsyncInvocation invocation, CancellationToken cancellationToken)
    {
        try
        {
            await StepAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the event stays stored and runs again after a restart (at least once).
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStepFailed(_logger, ex, invocation.FunctionName, invocation.Attempts.Count + 1, invocation.RequestId);
        }
        finally
        {
            _slots.Release();
            _tracker.Exit();
        }
    }

    private async Task StepAsync(AsyncInvocation invocation, CancellationToken cancellationToken)
    {
        invocation.NextAttemptAt = null;
        var now = _time.GetUtcNow();
        if (!_functions.TryGet(invocation.FunctionName, out var function))
        {
            LogDropped(_logger, invocation.FunctionName, invocation.RequestId, invocation.Attempts.Count, "the function no longer exists");
            await CompleteAsync(invocation, AsyncInvocationCondition.FunctionNotFound, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (function.Definition.ReservedConcurrency == 0)
        {
            LogZeroConcurrency(_logger, function.Name, invocation.RequestId);
            await CompleteAsync(invocation, AsyncInvocationCondition.ZeroReservedConcurrency, cancellationToken).ConfigureAwait(false);
            return;
        }
        var maxAge = _retryPolicy.GetMaximumEventAge(invocation);
        if (now - invocation.AcceptedAt >= maxAge)
        {
            await AgedOutAsync(invocation, maxAge, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!_executor.TryAcquire(function))
        {
            // Throttled: back off 1 s, 2 s, 4 s … 5 min within the event age; retries are not used up.
            var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(invocation.Throttles, 20)), MaxThrottleBackoff.TotalSeconds));
            invocation.Throttles++;
            if (now + backoff - invocation.AcceptedAt >= maxAge)
            {
                await AgedOutAsync(invocation, maxAge, cancellationToken).ConfigureAwait(false);
                return;
            }
            invocation.NextAttemptAt = now + backoff;
            Save(invocation);
            // The timer exists before the log line, so a test that saw the line can move a fake clock past it.
            _scheduler.Schedule(backoff, () => Enqueue(invocation));
            LogThrottled(_logger, function.Name, invocation.RequestId, function.Definition.ReservedConcurrency ?? 0, backoff.TotalSeconds, invocation.Throttles);
            return;
        }
        FunctionResult result;
        int attempt;
        DateTimeOffset startedAt;
        try
        {
            attempt = invocation.Attempts.Count + 1;
            startedAt = _time.GetUtcNow();
            _cloudTrail.Append(new CloudTrailRecord
            {
                UserIdentity = CloudTrailUserIdentity.Service(CloudTrailRecord.LambdaEventSource),
                EventTime = startedAt,
                EventName = CloudTrailRecord.InvokeExecutionEventName,
                AwsRegion = _engineOptions.Region,
                SourceIpAddress = CloudTrailRecord.LambdaEventSource,
                UserAgent = CloudTrailRecord.LambdaEventSource,
                RequestParameters = null,
                FunctionVersion = function.LatestVersionArn,
                RequestId = invocation.RequestId,
                EventId = RandomGuid.NewString(),
                Resources = [CloudTrailResource.Function(_engineOptions.AccountId, function.Arn)],
                RecipientAccountId = _engineOptions.AccountId,
            });
            LogAttemptStarted(_logger, function.Name, attempt, invocation.RequestId);
            result = await _executor.ExecuteAsync(
                new FunctionInvocation(invocation.RequestId, function, attempt, invocation.Payload, startedAt)
                {
                    InvokedFunctionArn = invocation.Qualifier is null ? function.Arn : function.Arn + ":" + invocation.Qualifier,
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _executor.Release(function);
        }

        var finishedAt = _time.GetUtcNow();
        invocation.AddAttempt(new AttemptRecord(attempt, startedAt, finishedAt, result.Succeeded ? AttemptOutcome.Success : AttemptOutcome.Unhandled, result.ErrorType, result.ErrorMessage)
        {
            Response = result.Payload,
        });
        // A retry is stored before the attempt's line is written: whoever sees the failed attempt (and then stops or kills
        // the emulator) can count on the retry surviving.
        var decision = result.Succeeded ? default : _retryPolicy.Decide(invocation, finishedAt);
        if (decision.Retry)
        {
            invocation.NextAttemptAt = finishedAt + decision.Delay;
            Save(invocation);
        }
        _invocations.Append(new InvocationLogRecord
        {
            Time = startedAt,
            RequestId = invocation.RequestId,
            FunctionName = function.Name,
            FunctionArn = function.Arn,
            Attempt = attempt,
            Event = invocation.Payload,
            EventIsValidJson = invocation.PayloadIsValidJson,
            Outcome = result.Succeeded ? InvocationLogRecord.SuccessOutcome : InvocationLogRecord.UnhandledOutcome,
            ErrorMessage = result.Succeeded ? null : result.ErrorMessage,
            RuleName = invocation.Caller.RuleName,
        });

        if (result.Succeeded)
        {
            LogAttemptSucceeded(_logger, function.Name, attempt, invocation.RequestId);
            await CompleteAsync(invocation, AsyncInvocationCondition.Success, cancellationToken).ConfigureAwait(false);
            return;
        }

        LogAttemptFailed(_logger, function.Name, attempt, invocation.RequestId, result.ErrorMessage);
        if (decision.Retry)
        {
            LogRetryScheduled(_logger, function.Name, attempt + 1, invocation.RequestId, decision.Delay.TotalSeconds, invocation.NextAttemptAt!.Value);
            // Registered before this attempt counts as finished, so "idle" implies the timer exists.
            _scheduler.Schedule(decision.Delay, () => Enqueue(invocation));
            return;
        }
        LogDropped(_logger, function.Name, invocation.RequestId, attempt, decision.Condition == AsyncInvocationCondition.RetriesExhausted
            ? $"all {attempt} attempts failed ({decision.Condition})"
            : decision.Condition.ToString());
        await CompleteAsync(invocation, decision.Condition, cancellationToken).ConfigureAwait(false);
    }

    private async Task AgedOutAsync(AsyncInvocation invocation, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        LogAgedOut(_logger, invocation.FunctionName, invocation.RequestId, invocation.Attempts.Count, maxAge.TotalSeconds);
        LogDropped(_logger, invocation.FunctionName, invocation.RequestId, invocation.Attempts.Count, nameof(AsyncInvocationCondition.EventAgeExceeded));
        await CompleteAsync(invocation, AsyncInvocationCondition.EventAgeExceeded, cancellationToken).ConfigureAwait(false);
    }

    private async Task CompleteAsync(AsyncInvocation invocation, AsyncInvocationCondition condition, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnCompletedAsync(invocation, condition, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStepFailed(_logger, ex, invocation.FunctionName, invocation.Attempts.Count, invocation.RequestId);
            }
        }
        try
        {
            _store.Remove(invocation.RequestId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStoreFailed(_logger, ex, "remove", invocation.RequestId);
        }
    }

    private void Save(AsyncInvocation invocation)
    {
        try
        {
            _store.Save(invocation);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStoreFailed(_logger, ex, "save", invocation.RequestId);
        }
    }

    [LoggerMessage(EventIds.AsyncQueueFull, LogLevel.Debug, "Lambda async queue full: {FunctionName} requestId {RequestId} waits for room ({Free} free)")]
    private static partial void LogQueueFull(ILogger logger, string functionName, string requestId, int free);

    /// <summary>A step in the channel; <paramref name="HoldsRoom"/>: a just-accepted event that took room in the bound.</summary>
    private readonly record struct QueuedStep(AsyncInvocation Invocation, bool HoldsRoom);

    [LoggerMessage(EventIds.AttemptStarted, LogLevel.Debug, "Lambda running {FunctionName} attempt {Attempt} requestId {RequestId}")]
    private static partial void LogAttemptStarted(ILogger logger, string functionName, int attempt, string requestId);

    [LoggerMessage(EventIds.AttemptSucceeded, LogLevel.Debug, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} succeeded")]
    private static partial void LogAttemptSucceeded(ILogger logger, string functionName, int attempt, string requestId);

    [LoggerMessage(EventIds.AttemptFailed, LogLevel.Warning, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} failed (Unhandled): {ErrorMessage}")]
    private static partial void LogAttemptFailed(ILogger logger, string functionName, int attempt, string requestId, string? errorMessage);

    [LoggerMessage(EventIds.RetryScheduled, LogLevel.Information, "Lambda will retry {FunctionName} (attempt {Attempt}) requestId {RequestId} in {DelaySeconds} s, at {DueTime:o}")]
    private static partial void LogRetryScheduled(ILogger logger, string functionName, int attempt, string requestId, double delaySeconds, DateTimeOffset dueTime);

    [LoggerMessage(EventIds.EventDropped, LogLevel.Warning, "Lambda dropped the event for {FunctionName} requestId {RequestId} after {Attempts} attempt(s): {Reason}")]
    private static partial void LogDropped(ILogger logger, string functionName, string requestId, int attempts, string reason);

    [LoggerMessage(EventIds.EventDeferred, LogLevel.Warning, "Lambda could not queue the event for {FunctionName} requestId {RequestId} now (stopping); it stays stored and resumes at the next start")]
    private static partial void LogNotRunNow(ILogger logger, string functionName, string requestId);

    [LoggerMessage(EventIds.RunnerFailed, LogLevel.Error, "Lambda async step for {FunctionName} attempt {Attempt} requestId {RequestId} failed")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string functionName, int attempt, string requestId);

    [LoggerMessage(EventIds.AttemptThrottled, LogLevel.Warning, "Lambda throttled {FunctionName} requestId {RequestId}: reserved concurrency {ReservedConcurrency} in use; next try in {BackoffSeconds} s (throttle {Throttles}, retries not used)")]
    private static partial void LogThrottled(ILogger logger, string functionName, string requestId, int reservedConcurrency, double backoffSeconds, int throttles);

    [LoggerMessage(EventIds.EventAgeExceeded, LogLevel.Warning, "Lambda gave up on {FunctionName} requestId {RequestId} after {Attempts} attempt(s): EventAgeExceeded (MaximumEventAgeInSeconds {MaxAgeSeconds})")]
    private static partial void LogAgedOut(ILogger logger, string functionName, string requestId, int attempts, double maxAgeSeconds);

    [LoggerMessage(EventIds.ZeroReservedConcurrency, LogLevel.Warning, "Lambda {FunctionName} has reserved concurrency 0: requestId {RequestId} goes to failure handling without running (ZeroReservedConcurrency)")]
    private static partial void LogZeroConcurrency(ILogger logger, string functionName, string requestId);

    [LoggerMessage(EventIds.EventsResumed, LogLevel.Information, "Lambda resumed {Count} stored async event(s): {Due} due now, {Scheduled} on their schedule")]
    private static partial void LogResumed(ILogger logger, int count, int due, int scheduled);

    [LoggerMessage(EventIds.StateStoreFailed, LogLevel.Error, "Lambda state store failed to {Operation} requestId {RequestId}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string operation, string requestId);
}
