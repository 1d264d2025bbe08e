using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Lambda.Clock;

/// <summary>
/// A clock that starts at a given time (the host: the real time at start) and moves only when told
/// (<see cref="VirtualClock.AdvanceAsync"/>, <c>POST /_emulator/clock/advance</c>). Timers created on it (retry delays,
/// throttle backoff, function timeouts, <c>sleep</c>) fire when the clock passes their due time, in due-time order.
/// Thread-safe. <c>--clock virtual</c> makes it the emulator's <see cref="TimeProvider"/>.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    public VirtualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Timers waiting to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock to the earliest timer due at or before <paramref name="limit"/> and fires every timer due at that
    /// instant (in creation order). Returns false, without moving, when none is due by then.
    /// </summary>
    internal bool TryFireNext(DateTimeOffset limit, out int fired)
    {
        List<VirtualTimer> due;
        lock (_lock)
        {
            fired = 0;
            DateTimeOffset? next = null;
            foreach (var t in _timers)
            {
                if (t.Due is { } d && d <= limit && (next is null || d < next))
                {
                    next = d;
                }
            }
            if (next is null)
            {
                return false;
            }
            if (next.Value > _now)
            {
                _now = next.Value;
            }
            due = [.. _timers.Where(t => t.Due == next).OrderBy(t => t.Sequence)];
            foreach (var t in due)
            {
                t.Due = t.Period is { } p ? _now + p : null;
            }
        }
        foreach (var t in due)
        {
            t.Fire();
            fired++;
        }
        return true;
    }

    /// <summary>Sets the clock to <paramref name="time"/> if it is later (no timer fires).</summary>
    internal void MoveTo(DateTimeOffset time)
    {
        lock (_lock)
        {
            if (time > _now)
            {
                _now = time;
            }
        }
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public long Sequence { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
                Sequence = ++owner._sequence;
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            }
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                Due = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Something that can say when the work a timer started has finished (the Lambda queue, the rules engine).</summary>
public interface IClockSettler
{
    Task WhenSettledAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="VirtualClock.AdvanceAsync"/> did.</summary>
/// <param name="Unsettled">True when some work (e.g. a real function process) was still running after the settle timeout.</param>
public sealed record ClockAdvanceResult(DateTimeOffset From, DateTimeOffset To, int TimersFired, bool Unsettled);

/// <summary>
/// Drives a <see cref="VirtualTimeProvider"/>: <see cref="AdvanceAsync"/> runs everything that falls due within the
/// advance, in order. After each firing it waits until the emulator has settled (the Lambda queue and the rules engine are
/// idle; bounded by <see cref="SettleTimeout"/> of real time for real processes), so work started by one timer schedules its
/// follow-ups (a retry 60 s later) before the clock moves past them. Advances are serialised.
/// </summary>
public sealed partial class VirtualClock
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IEnumerable<IClockSettler> _settlers;
    private readonly ILogger? _logger;

    public VirtualClock(VirtualTimeProvider time, IEnumerable<IClockSettler> settlers)
        : this(time, settlers, null)
    {
    }

    public VirtualClock(VirtualTimeProvider time, IEnumerable<IClockSettler> settlers, ILogger<VirtualClock>? logger)
    {
        Time = time;
        _settlers = settlers;
        _logger = logger;
    }

    public VirtualTimeProvider Time { get; }

    /// <summary>How long (real time) to wait for running work after each step. Defaults to 10 s.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public async Task<ClockAdvanceResult> AdvanceAsync(TimeSpan by, CancellationToken cancellationToken = default)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The clock only moves forward.");
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var from = Time.GetUtcNow();
            var target = from + by;
            var fired = 0;
            var unsettled = !await SettleAsync(cancellationToken).ConfigureAwait(false);
            while (Time.TryFireNext(target, out var count))
            {
                fired += count;
                unsettled |= !await SettleAsync(cancellationToken).ConfigureAwait(false);
            }
            Time.MoveTo(target);
            unsettled |= !await SettleAsync(cancellationToken).ConfigureAwait(false);
            if (_logger is not null)
            {
                LogAdvanced(_logger, by.TotalSeconds, from, Time.GetUtcNow(), fired, unsettled);
            }
            return new ClockAdvanceResult(from, Time.GetUtcNow(), fired, unsettled);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> SettleAsync(CancellationToken cancellationToken)
    {
        // Twice: the engine's work can start Lambda work and Lambda's (destinations) engine work.
        for (var round = 0; round < 2; round++)
        {
            foreach (var settler in _settlers)
            {
                try
                {
                    await settler.WhenSettledAsync(cancellationToken).WaitAsync(SettleTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }
        }
        return true;
    }

    [LoggerMessage(EventIds.ClockAdvanced, LogLevel.Information, "Virtual clock advanced {Seconds} s from {From:o} to {To:o}: {TimersFired} timer(s) fired (unsettled: {Unsettled})")]
    private static partial void LogAdvanced(ILogger logger, double seconds, DateTimeOffset from, DateTimeOffset to, int timersFired, bool unsettled);
}
