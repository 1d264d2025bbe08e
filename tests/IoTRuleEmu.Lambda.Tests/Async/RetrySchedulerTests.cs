using IoTRuleEmu.Lambda.Async;

namespace IoTRuleEmu.Lambda.Tests.Async;

/// <summary>
/// <see cref="TimerRetryScheduler"/> against a clock whose timers fire when the test says so, early or late, as a real
/// timer counting on a coarser monotonic clock can (the native build's fired ~3 ms before the wall clock's due time).
/// </summary>
public sealed class RetrySchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TimerFiringBeforeTheDueTime_IsRearmedForTheRest_AndTheCallbackWaits()
    {
        var clock = new ManualTimerClock(Start);
        using var scheduler = new TimerRetryScheduler(clock);
        var calls = 0;
        scheduler.Schedule(TimeSpan.FromSeconds(8), () => calls++);
        var timer = Assert.Single(clock.Timers);
        Assert.Equal(TimeSpan.FromSeconds(8), timer.DueTime);

        clock.Now = Start.AddSeconds(8).AddMilliseconds(-3);
        timer.Fire();
        Assert.Equal(0, calls);
        Assert.Equal(1, scheduler.Pending);
        Assert.Equal(TimeSpan.FromMilliseconds(3), timer.DueTime); // re-armed for what is left

        clock.Now = Start.AddSeconds(8);
        timer.Fire();
        Assert.Equal(1, calls);
        Assert.Equal(0, scheduler.Pending);
        Assert.True(timer.Disposed);

        timer.Fire(); // a late duplicate tick does not call back twice
        Assert.Equal(1, calls);
    }

    [Fact]
    public void TimerFiringAtOrAfterTheDueTime_CallsBackOnce()
    {
        var clock = new ManualTimerClock(Start);
        using var scheduler = new TimerRetryScheduler(clock);
        var calls = 0;
        scheduler.Schedule(TimeSpan.FromMinutes(1), () => calls++);
        clock.Now = Start.AddMinutes(1).AddMilliseconds(40);
        Assert.Single(clock.Timers).Fire();
        Assert.Equal(1, calls);
        Assert.Equal(0, scheduler.Pending);
    }

    [Fact]
    public void Cancelled_BeforeAnEarlyFire_NeverCallsBack()
    {
        var clock = new ManualTimerClock(Start);
        using var scheduler = new TimerRetryScheduler(clock);
        var calls = 0;
        var scheduled = scheduler.Schedule(TimeSpan.FromSeconds(2), () => calls++);
        var timer = Assert.Single(clock.Timers);
        scheduled.Dispose();
        clock.Now = Start.AddSeconds(1);
        timer.Fire();
        clock.Now = Start.AddSeconds(3);
        timer.Fire();
        Assert.Equal(0, calls);
        Assert.Equal(0, scheduler.Pending);
        Assert.True(timer.Disposed);
    }

    /// <summary>A clock set by the test; its timers only record their due time and fire when told to.</summary>
    private sealed class ManualTimerClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public List<ManualTimer> Timers { get; } = [];

        public override DateTimeOffset GetUtcNow() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state, dueTime);
            Timers.Add(timer);
            return timer;
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
    {
        public TimeSpan DueTime { get; private set; } = dueTime;

        public bool Disposed { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Disposed)
            {
                return false;
            }
            DueTime = dueTime;
            return true;
        }

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
