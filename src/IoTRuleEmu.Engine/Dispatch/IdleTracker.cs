namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// Counts units of outstanding work and lets callers await the moment the count drops to zero.
/// Enter before work becomes visible, Exit when it (and anything it started) is done.
/// </summary>
public sealed class IdleTracker
{
    private readonly Lock _lock = new();
    private long _count;
    private TaskCompletionSource? _idle;

    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Enter()
    {
        lock (_lock)
        {
            _count++;
        }
    }

    public void Exit()
    {
        TaskCompletionSource? toComplete = null;
        lock (_lock)
        {
            if (--_count == 0 && _idle is not null)
            {
                toComplete = _idle;
                _idle = null;
            }
        }
        toComplete?.TrySetResult();
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }
}
