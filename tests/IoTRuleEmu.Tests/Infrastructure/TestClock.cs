using Microsoft.Extensions.Time.Testing;

namespace IoTRuleEmu.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer scheduled through it (created or changed with a
/// finite due time), so a test can wait until the code under test is waiting on the clock before advancing it —
/// no sleeps, no races.
/// </summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>The start of virtual time: the reference article's first Invoke record.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2019, 1, 24, 5, 20, 38, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly List<ScheduledTimer> _scheduled = [];
    private readonly List<(Func<ScheduledTimer, bool> Match, long After, TaskCompletionSource<ScheduledTimer> Done)> _waiters = [];
    private long _sequence;

    public TestClock(DateTimeOffset? start = null) => Fake = new FakeTimeProvider(start ?? DefaultStart);

    public FakeTimeProvider Fake { get; }

    /// <summary>The sequence number of the last scheduled timer; pass it to <see cref="WaitForTimerAsync"/> to see only later ones.</summary>
    public long Mark
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SignalingTimer(this, Fake.CreateTimer(callback, state, dueTime, period));
        Scheduled(dueTime);
        return timer;
    }

    /// <summary>
    /// Completes when a timer scheduled after <paramref name="after"/> (a <see cref="Mark"/>) matches
    /// <paramref name="match"/> (its due time). Timers already scheduled after the mark count.
    /// </summary>
    public Task<ScheduledTimer> WaitForTimerAsync(long after, Func<ScheduledTimer, bool> match)
    {
        lock (_lock)
        {
            foreach (var t in _scheduled)
            {
                if (t.Sequence > after && match(t))
                {
                    return Task.FromResult(t);
                }
            }
            var tcs = new TaskCompletionSource<ScheduledTimer>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, after, tcs));
            return tcs.Task;
        }
    }

    private void Scheduled(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        List<TaskCompletionSource<ScheduledTimer>>? done = null;
        ScheduledTimer scheduled;
        lock (_lock)
        {
            scheduled = new ScheduledTimer(++_sequence, dueTime, Fake.GetUtcNow());
            _scheduled.Add(scheduled);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var w = _waiters[i];
                if (scheduled.Sequence > w.After && w.Match(scheduled))
                {
                    (done ??= []).Add(w.Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        done?.ForEach(d => d.TrySetResult(scheduled));
    }

    private sealed class SignalingTimer(TestClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            clock.Scheduled(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>A timer scheduled on the <see cref="TestClock"/>: order, due time, and the virtual time it was scheduled at.</summary>
public sealed record ScheduledTimer(long Sequence, TimeSpan DueTime, DateTimeOffset ScheduledAt);
