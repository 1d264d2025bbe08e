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

/// <summary>
/// Schedules with <see cref="TimeProvider.CreateTimer"/>, and never calls back before the due time on the provider's own
/// clock (<see cref="TimeProvider.GetUtcNow"/>): a timer counts its delay on a monotonic tick count that can be a few
/// milliseconds coarser than the wall clock (the native build's timers fired up to ~3 ms early), so a timer that fires
/// early is re-armed for the rest and an attempt never starts before the time its retry was scheduled for.
/// </summary>
public sealed class TimerRetryScheduler(TimeProvider timeProvider) : IRetryScheduler, IDisposable
{
    private readonly ConcurrentDictionary<Entry, byte> _pending = new();
    private readonly TimeProvider _time = timeProvider;

    public int Pending => _pending.Count;

    public IDisposable Schedule(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }
        var entry = new Entry(this, callback, _time.GetUtcNow() + delay);
        _pending[entry] = 0;
        entry.Timer = _time.CreateTimer(static state => ((Entry)state!).Fire(), entry, delay, Timeout.InfiniteTimeSpan);
        return entry;
    }

    public void Dispose()
    {
        foreach (var entry in _pending.Keys)
        {
            entry.Dispose();
        }
    }

    private sealed class Entry(TimerRetryScheduler owner, Action callback, DateTimeOffset due) : IDisposable
    {
        private int _done;

        public ITimer? Timer { get; set; }

        public void Fire()
        {
            var early = due - owner._time.GetUtcNow();
            if (early > TimeSpan.Zero && Volatile.Read(ref _done) == 0 && Timer is { } timer)
            {
                try
                {
                    timer.Change(early, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // Dispose ran meanwhile: nothing is due any more.
                }
                return;
            }
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
