using IoTRuleEmu.Lambda.Configuration;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>What to do after a failed attempt: retry after <see cref="Delay"/>, or give up with <see cref="Condition"/>.</summary>
public readonly record struct RetryDecision(bool Retry, TimeSpan Delay, AsyncInvocationCondition Condition)
{
    public static RetryDecision After(TimeSpan delay) => new(true, delay, default);

    public static RetryDecision GiveUp(AsyncInvocationCondition condition) => new(false, TimeSpan.Zero, condition);
}

/// <summary>
/// Decides whether a failed async invocation is retried, and how old an event may get. The default
/// (<see cref="DefaultRetryPolicy"/>) reads the function's EventInvokeConfig from <see cref="IEventInvokeConfigStore"/>.
/// </summary>
public interface IRetryPolicy
{
    RetryDecision Decide(AsyncInvocation invocation, DateTimeOffset now);

    /// <summary>MaximumEventAgeInSeconds for the invocation (throttled events age out too). Default: 6 hours.</summary>
    TimeSpan GetMaximumEventAge(AsyncInvocation invocation) => TimeSpan.FromSeconds(EventInvokeSettings.DefaultMaximumEventAgeInSeconds);
}

/// <summary>
/// The default policy: the function's EventInvokeConfig (functions file or API) for <c>MaximumRetryAttempts</c> (default
/// <see cref="LambdaEmulatorOptions.MaximumRetryAttempts"/>) and <c>MaximumEventAgeInSeconds</c> (default 21600), with
/// <see cref="LambdaEmulatorOptions.RetryDelays"/>[n] before retry n+1 (the last delay repeats). AWS's lookahead: a retry
/// is scheduled only if it could start before the event's age limit (<c>elapsed + delay &lt; maxAge</c>); otherwise the event
/// fails with <see cref="AsyncInvocationCondition.EventAgeExceeded"/> at once.
/// </summary>
public sealed class DefaultRetryPolicy : IRetryPolicy
{
    private readonly LambdaEmulatorOptions _options;
    private readonly IEventInvokeConfigStore? _configs;

    /// <summary>Without per-function configs: the options' defaults for every function.</summary>
    public DefaultRetryPolicy(IOptions<LambdaEmulatorOptions> options)
        : this(options, null)
    {
    }

    public DefaultRetryPolicy(IOptions<LambdaEmulatorOptions> options, IEventInvokeConfigStore? configs)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _configs = configs;
    }

    public RetryDecision Decide(AsyncInvocation invocation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var settings = Settings(invocation);
        var retriesUsed = invocation.Attempts.Count - 1;
        var maxRetries = settings?.MaximumRetryAttempts ?? _options.MaximumRetryAttempts;
        if (retriesUsed >= maxRetries)
        {
            return RetryDecision.GiveUp(AsyncInvocationCondition.RetriesExhausted);
        }
        var delays = _options.RetryDelays;
        var delay = delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(retriesUsed, delays.Count - 1)];
        if (now + delay - invocation.AcceptedAt >= MaximumEventAge(settings))
        {
            return RetryDecision.GiveUp(AsyncInvocationCondition.EventAgeExceeded);
        }
        return RetryDecision.After(delay);
    }

    public TimeSpan GetMaximumEventAge(AsyncInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return MaximumEventAge(Settings(invocation));
    }

    private EventInvokeSettings? Settings(AsyncInvocation invocation) => _configs?.Get(invocation.FunctionName, invocation.Qualifier)?.Settings;

    private static TimeSpan MaximumEventAge(EventInvokeSettings? settings) =>
        TimeSpan.FromSeconds(settings?.MaximumEventAgeInSeconds ?? EventInvokeSettings.DefaultMaximumEventAgeInSeconds);
}
