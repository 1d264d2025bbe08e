using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>What to do after a failed attempt: retry after <see cref="Delay"/>, or give up with <see cref="Condition"/>.</summary>
public readonly record struct RetryDecision(bool Retry, TimeSpan Delay, AsyncInvocationCondition Condition)
{
    public static RetryDecision After(TimeSpan delay) => new(true, delay, default);

    public static RetryDecision GiveUp(AsyncInvocationCondition condition) => new(false, TimeSpan.Zero, condition);
}

/// <summary>
/// Decides whether a failed async invocation is retried. The seam for per-function EventInvokeConfig
/// (MaximumRetryAttempts 0–2, MaximumEventAgeInSeconds with lookahead) and throttling backoff.
/// </summary>
public interface IRetryPolicy
{
    RetryDecision Decide(AsyncInvocation invocation, DateTimeOffset now);
}

/// <summary>
/// The default: up to <see cref="LambdaEmulatorOptions.MaximumRetryAttempts"/> retries after a function error, waiting
/// <see cref="LambdaEmulatorOptions.RetryDelays"/>[n] before retry n+1 (the last delay repeats).
/// </summary>
public sealed class DefaultRetryPolicy(IOptions<LambdaEmulatorOptions> options) : IRetryPolicy
{
    private readonly LambdaEmulatorOptions _options = options.Value;

    public RetryDecision Decide(AsyncInvocation invocation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var retriesUsed = invocation.Attempts.Count - 1;
        if (retriesUsed >= _options.MaximumRetryAttempts)
        {
            return RetryDecision.GiveUp(AsyncInvocationCondition.RetriesExhausted);
        }
        var delays = _options.RetryDelays;
        var delay = delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(retriesUsed, delays.Count - 1)];
        return RetryDecision.After(delay);
    }
}
