using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Functions;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>
/// Runs one attempt of a function with its timeout (measured on the emulator's <see cref="TimeProvider"/>) and tracks
/// reserved concurrency. Shared by the async queue and synchronous (RequestResponse) invokes.
/// </summary>
public sealed partial class FunctionExecutor(TimeProvider timeProvider, ILogger<FunctionExecutor> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

    /// <summary>Attempts running now for <paramref name="functionName"/>.</summary>
    public int Running(string functionName)
    {
        lock (_lock)
        {
            return _running.GetValueOrDefault(functionName);
        }
    }

    /// <summary>Takes a concurrency slot: false when the function's reserved concurrency is used up (throttle).</summary>
    public bool TryAcquire(LambdaFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        lock (_lock)
        {
            var running = _running.GetValueOrDefault(function.Name);
            if (function.Definition.ReservedConcurrency is int reserved && running >= reserved)
            {
                return false;
            }
            _running[function.Name] = running + 1;
            return true;
        }
    }

    public void Release(LambdaFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        lock (_lock)
        {
            var running = _running.GetValueOrDefault(function.Name) - 1;
            if (running <= 0)
            {
                _running.Remove(function.Name);
            }
            else
            {
                _running[function.Name] = running;
            }
        }
    }

    /// <summary>
    /// Runs the attempt. An overrun of the function's timeout is an unhandled error <c>Task timed out after N.00 seconds</c>
    /// (the runner is cancelled: process killed, call dropped). A runner exception is an unhandled error with its message.
    /// Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> (emulator stopping) fires.
    /// </summary>
    public async Task<FunctionResult> ExecuteAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var function = invocation.Function;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = RunAsync(function, invocation, attempt.Token);
        if (running.IsCompleted)
        {
            // Finished without waiting (built-in behaviours): no time passed, so no timeout timer is needed.
            LogRunning(logger, function.Name, invocation.Attempt, invocation.RequestId, function.Definition.TimeoutSeconds);
            return running.Result;
        }
        // The timeout timer exists before "running" is logged: a test that saw the log can move a fake clock and know the
        // timeout (and a built-in sleep, registered when the runner started) will fire.
        var timeout = TimeSpan.FromSeconds(function.Definition.TimeoutSeconds);
        var timer = Task.Delay(timeout, timeProvider, attempt.Token);
        var run = running.AsTask();
        LogRunning(logger, function.Name, invocation.Attempt, invocation.RequestId, function.Definition.TimeoutSeconds);
        var first = await Task.WhenAny(run, timer).ConfigureAwait(false);
        if (first == run)
        {
            await attempt.CancelAsync().ConfigureAwait(false);
            return await run.ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        // Timed out: stop the attempt, then report what Lambda reports.
        await attempt.CancelAsync().ConfigureAwait(false);
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already reported as the timeout.
        }
        LogTimedOut(logger, function.Name, invocation.Attempt, invocation.RequestId, function.Definition.TimeoutSeconds);
        return FunctionResult.TimedOut(function.Definition.TimeoutSeconds, invocation.RequestId);
    }

    private async ValueTask<FunctionResult> RunAsync(LambdaFunction function, FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        try
        {
            return await function.Runner.RunAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRunnerFailed(logger, ex, function.Name, invocation.Attempt, invocation.RequestId);
            return FunctionResult.Unhandled(ex.Message, ex.GetType().Name, requestId: invocation.RequestId);
        }
    }

    [LoggerMessage(EventIds.AttemptRunning, LogLevel.Debug, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} running (timeout {TimeoutSeconds} s)")]
    private static partial void LogRunning(ILogger logger, string functionName, int attempt, string requestId, int timeoutSeconds);

    [LoggerMessage(EventIds.AttemptTimedOut, LogLevel.Warning, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId} timed out after {TimeoutSeconds} s")]
    private static partial void LogTimedOut(ILogger logger, string functionName, int attempt, string requestId, int timeoutSeconds);

    [LoggerMessage(EventIds.RunnerFailed, LogLevel.Error, "Lambda {FunctionName} attempt {Attempt} requestId {RequestId}: the runner failed")]
    private static partial void LogRunnerFailed(ILogger logger, Exception exception, string functionName, int attempt, string requestId);
}
