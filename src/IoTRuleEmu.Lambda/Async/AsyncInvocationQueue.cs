using System.Threading.Channels;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>Lambda's internal queue for Event invocations.</summary>
public interface IAsyncInvocationQueue
{
    /// <summary>Queues an accepted invocation for its first attempt.</summary>
    void Enqueue(AsyncInvocation invocation);

    /// <summary>Invocations waiting for a retry timer.</summary>
    int ScheduledRetries { get; }

    /// <summary>
    /// Completes when no attempt is queued or running. Invocations waiting for a retry timer do not count: their timers
    /// are registered by then, so a test can advance a fake clock right after this completes.
    /// </summary>
    Task WhenIdleAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Runs async invocations: a channel of due attempts drained by a worker that starts each attempt as its own task (at most
/// <see cref="LambdaEmulatorOptions.MaxConcurrentExecutions"/> at once). Each attempt writes an <c>InvokeExecution</c>
/// CloudTrail record and an invocations.jsonl line; a function error asks the <see cref="IRetryPolicy"/> and either
/// schedules the next attempt on the <see cref="IRetryScheduler"/> or drops the event (logged).
/// </summary>
public sealed partial class AsyncInvocationQueue : IAsyncInvocationQueue, IAsyncDisposable
{
    private readonly Channel<AsyncInvocation> _channel = Channel.CreateUnbounded<AsyncInvocation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IdleTracker _tracker = new();
    private readonly IFunctionRegistry _functions;
    private readonly ICloudTrailLog _cloudTrail;
    private readonly IInvocationLog _invocations;
    private readonly IRetryPolicy _retryPolicy;
    private readonly IRetryScheduler _scheduler;
    private readonly IEnumerable<IAsyncInvocationListener> _listeners;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _engineOptions;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
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
        _time = timeProvider;
        _engineOptions = engineOptions.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentExecutions));
    }

    public int ScheduledRetries => _scheduler.Pending;

    public void Enqueue(AsyncInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        _tracker.Enter();
        if (!_channel.Writer.TryWrite(invocation))
        {
            // Stopped: the event is lost, as a queue without durability loses it.
            _tracker.Exit();
            LogDropped(_logger, invocation.FunctionName, invocation.RequestId, invocation.Attempts.Count, "the emulator is stopping");
        }
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _tracker.WhenIdleAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _worker ??= Task.Run(() => WorkAsync(_stopping.Token), CancellationToken.None);
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
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var invocation))
                {
                    await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _ = RunAttemptAsync(invocation, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAttemptAsync(AsyncInvocation invocation, CancellationToken cancellationToken)
    {
        try
        {
            invocation.NextAttemptAt = null;
            if (!_functions.TryGet(invocation.FunctionName, out var function))
            {
                LogDropped(_logger, invocation.FunctionName, invocation.RequestId, invocation.Attempts.Count, "the function no longer exists");
                Complete(invocation, AsyncInvocationCondition.FunctionNotFound);
                return;
            }

            var attempt = invocation.Attempts.Count + 1;
            var startedAt = _time.GetUtcNow();
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
                EventId = Guid.NewGuid().ToString(),
                Resources = [CloudTrailResource.Function(_engineOptions.AccountId, function.Arn)],
                RecipientAccountId = _engineOptions.AccountId,
            });
            LogAttemptStarted(_logger, function.Name, attempt, invocation.RequestId);

            FunctionResult result;
            try
            {
                result = await function.Runner.RunAsync(
                    new FunctionInvocation(invocation.RequestId, function, attempt, invocation.Payload, startedAt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRunnerFailed(_logger, ex, function.Name, attempt, invocation.RequestId);
                result = FunctionResult.Unhandled(ex.Message, ex.GetType().Name);
            }

            var finishedAt = _time.GetUtcNow();
            var outcome = result.Succeeded ? AttemptOutcome.Success : AttemptOutcome.Unhandled;
            invocation.AddAttempt(new AttemptRecord(attempt, startedAt, finishedAt, outcome, result.ErrorType, result.ErrorMessage));
            _invocations.Append(new InvocationLogRecord
            {
                Time = startedAt,
                RequestId = invocation.RequestId,
                FunctionName = function.Name,
                FunctionArn = function.Arn,
                Attempt = attempt,
                Event = invocation.Payload,
                Outcome = result.Succeeded ? InvocationLogRecord.SuccessOutcome : InvocationLogRecord.UnhandledOutcome,
                ErrorMessage = result.Succeeded ? null : result.ErrorMessage,
                RuleName = invocation.Caller.RuleName,
            });

            if (result.Succeeded)
            {
                LogAttemptSucceeded(_logger, function.Name, attempt, invocation.RequestId);
                Complete(invocation, AsyncInvocationCondition.Success);
                return;
            }

            LogAttemptFailed(_logger, function.Name, attempt, invocation.RequestId, result.ErrorMessage);
            var decision = _retryPolicy.Decide(invocation, finishedAt);
            if (decision.Retry)
            {
                invocation.NextAttemptAt = finishedAt + decision.Delay;
                LogRetryScheduled(_logger, function.Name, attempt + 1, invocation.RequestId, decision.Delay.TotalSeconds, invocation.NextAttemptAt.Value);
                // Registered before this attempt counts as finished, so "idle" implies the timer exists.
                _scheduler.Schedule(decision.Delay, () => Enqueue(invocation));
            }
            else
            {
                LogDropped(_logger, function.Name, invocation.RequestId, attempt, decision.Condition == AsyncInvocationCondition.RetriesExhausted
                    ? $"all {attempt} attempts failed ({decision.Condition})"
                    : decision.Condition.ToString());
                Complete(invocation, decision.Condition);
            }
        }
        catch (Exception ex)
        {
            LogRunnerFailed(_logger, ex, invocation.FunctionName, invocation.Attempts.Count + 1, invocation.RequestId);
        }
        finally
        {
            _slots.Release();
            _tracker.Exit();
        }
    }

    private void Complete(AsyncInvocation invocation, AsyncInvocationCondition condition)
    {
        foreach (var listener in _listeners)
        {
            listener.OnCompleted(invocation, condition);
        }
    }

    [LoggerMessage(EventIds.AttemptStarted, LogLevel.Information, "Lambda running {FunctionName} attempt {Attempt} requestId {RequestId}")]
    private static partial void LogAttemptStarted(ILogger logger, string functionName, int attempt, string requestId);

    [LoggerMessage(EventIds.AttemptSucceeded, LogLevel.Information, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} succeeded")]
    private static partial void LogAttemptSucceeded(ILogger logger, string functionName, int attempt, string requestId);

    [LoggerMessage(EventIds.AttemptFailed, LogLevel.Warning, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} failed (Unhandled): {ErrorMessage}")]
    private static partial void LogAttemptFailed(ILogger logger, string functionName, int attempt, string requestId, string? errorMessage);

    [LoggerMessage(EventIds.RetryScheduled, LogLevel.Information, "Lambda will retry {FunctionName} (attempt {Attempt}) requestId {RequestId} in {DelaySeconds} s, at {DueTime:o}")]
    private static partial void LogRetryScheduled(ILogger logger, string functionName, int attempt, string requestId, double delaySeconds, DateTimeOffset dueTime);

    [LoggerMessage(EventIds.EventDropped, LogLevel.Warning, "Lambda dropped the event for {FunctionName} requestId {RequestId} after {Attempts} attempt(s): {Reason}")]
    private static partial void LogDropped(ILogger logger, string functionName, string requestId, int attempts, string reason);

    [LoggerMessage(EventIds.RunnerFailed, LogLevel.Error, "Lambda runner for {FunctionName} attempt {Attempt} requestId {RequestId} threw")]
    private static partial void LogRunnerFailed(ILogger logger, Exception exception, string functionName, int attempt, string requestId);
}
