namespace IoTRuleEmu.Engine.Model;

/// <summary>Per-rule runtime counters, updated lock-free by the workers (for a later rules/metrics API and for tests).</summary>
public sealed class RuleCounters
{
    private long _matched;
    private long _sqlFailed;
    private long _actionsSucceeded;
    private long _actionsFailed;
    private long _actionsSkipped;
    private long _errorActionsSucceeded;
    private long _errorActionsFailed;
    private volatile RuleError? _lastError;

    /// <summary>Messages whose topic and WHERE matched (<c>RulesExecuted</c>).</summary>
    public long Matched => Interlocked.Read(ref _matched);

    /// <summary>Messages whose SQL evaluation failed (no action ran).</summary>
    public long SqlFailed => Interlocked.Read(ref _sqlFailed);

    public long ActionsSucceeded => Interlocked.Read(ref _actionsSucceeded);

    public long ActionsFailed => Interlocked.Read(ref _actionsFailed);

    /// <summary>Uses of action types that are not emulated.</summary>
    public long ActionsSkipped => Interlocked.Read(ref _actionsSkipped);

    public long ErrorActionsSucceeded => Interlocked.Read(ref _errorActionsSucceeded);

    public long ErrorActionsFailed => Interlocked.Read(ref _errorActionsFailed);

    /// <summary>The most recent failure (SQL, action or error action), or null.</summary>
    public RuleError? LastError => _lastError;

    internal void OnMatched() => Interlocked.Increment(ref _matched);

    internal void OnSqlFailed(RuleError error)
    {
        Interlocked.Increment(ref _sqlFailed);
        _lastError = error;
    }

    internal void OnActionSucceeded() => Interlocked.Increment(ref _actionsSucceeded);

    internal void OnActionSkipped() => Interlocked.Increment(ref _actionsSkipped);

    internal void OnActionFailed(RuleError error)
    {
        Interlocked.Increment(ref _actionsFailed);
        _lastError = error;
    }

    internal void OnErrorActionSucceeded() => Interlocked.Increment(ref _errorActionsSucceeded);

    internal void OnErrorActionFailed(RuleError error)
    {
        Interlocked.Increment(ref _errorActionsFailed);
        _lastError = error;
    }
}

/// <summary>A failure remembered by <see cref="RuleCounters.LastError"/>.</summary>
public sealed record RuleError(DateTimeOffset Time, string Topic, string TraceId, string Message);
