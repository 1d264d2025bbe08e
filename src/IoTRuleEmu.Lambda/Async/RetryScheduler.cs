using System.Collections.Concurrent;

namespace IoTRuleEmu.Lambda.Async;

/// <summary>
/// Runs a callback once a delay has passed on the <see cref="TimeProvider"/>'s clock. The seam for durable (SQLite) and
/// virtual-clock scheduling. The timer is registered before <see cref="Schedule"/> returns, so a test that advances a
/// fake clock after the queue is idle always fires it.
/// </summary>
public interface IRetryScheduler
{
    /// <summary>Calls <paramref name="callback"/> after <paramref name="delay"/>. Dispose the result to cancel.</summary>
    IDisposable Schedule(TimeSpan delay, Action callback);

    /// <summary>How many callbacks are waiting.</summary>
    int Pending { get; }
}

/// <summary>Schedules with <see cref="TimeProvider.CreateTimer"/>.</summary>
public sealed class TimerRetryScheduler(TimeProvider timeProvider) : IRetryScheduler, IDisposable
{
    private readonly ConcurrentDictionary<Entry, byte> _pending = new();

    public int Pending => _pending.Count;

    public IDisposable Schedule(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var entry = new Entry(this, callback);
        _pending[entry] = 0;
        entry.Timer = timeProvider.CreateTimer(static state => ((Entry)state!).Fire(), entry, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        return entry;
    }

    public void Dispose()
    {
        foreach (var entry in _pending.Keys)
        {
            entry.Dispose();
        }
    }

    private sealed class Entry(TimerRetryScheduler owner, Action callback) : IDisposable
    {
        private int _done;

        public ITimer? Timer { get; set; }

        public void Fire()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner._pending.TryRemove(this, out _);
                Timer?.Dispose();
                callback();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner._pending.TryRemove(this, out _);
                Timer?.Dispose();
            }
        }
    }
}
