namespace IoTRuleEmu.Engine.Audit;

/// <summary>
/// Wakes a batching writer thread (console log, JSON-lines files, Lambda state): producers queue work and call
/// <see cref="NotifyWork"/>, which costs nothing while the writer is busy; the writer, once it has drained everything,
/// calls <see cref="WaitForBatch"/>, which sleeps until work arrives and then lets the batch gather for
/// <see cref="BatchInterval"/> (real time: it only paces writes). <see cref="Hurry"/> cuts that short (flush, close).
/// </summary>
public sealed class BatchSignal : IDisposable
{
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly ManualResetEventSlim _hurry = new(initialState: false, spinCount: 0);
    private readonly bool _gatherWhenBusy;
    private int _idle;

    /// <param name="batchInterval">How long a batch gathers once the writer was woken.</param>
    /// <param name="gatherWhenBusy">
    /// Also gather when work is already waiting (the Lambda state store: more changes cancel out); without it a busy writer
    /// goes on at once (the log writers: gathering would only slow a writer that has work).
    /// </param>
    public BatchSignal(TimeSpan batchInterval, bool gatherWhenBusy = false)
    {
        BatchInterval = batchInterval < TimeSpan.Zero ? TimeSpan.Zero : batchInterval;
        _gatherWhenBusy = gatherWhenBusy;
    }

    public TimeSpan BatchInterval { get; }

    /// <summary>Producer side, after the work is queued: wakes the writer if it sleeps.</summary>
    public void NotifyWork()
    {
        // A full fence: this read must not move before the producer's queue write (the writer announces idleness first,
        // then looks at the queue once more).
        if (Interlocked.CompareExchange(ref _idle, 0, 0) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Wakes the writer and skips the batch interval: someone waits for the writes (flush) or it is closing.</summary>
    public void Hurry()
    {
        _hurry.Set();
        _wake.Set();
    }

    /// <summary>
    /// Writer side, with everything drained: returns at once if <paramref name="hasWork"/> says work arrived meanwhile;
    /// otherwise sleeps until <see cref="NotifyWork"/> or <see cref="Hurry"/>, then waits up to <see cref="BatchInterval"/>
    /// more for the rest of the batch.
    /// </summary>
    public void WaitForBatch(Func<bool> hasWork)
    {
        ArgumentNullException.ThrowIfNull(hasWork);
        _wake.Reset();
        Interlocked.Exchange(ref _idle, 1);
        var waited = false;
        if (!hasWork())
        {
            _wake.Wait();
            waited = true;
        }
        if ((waited || _gatherWhenBusy) && BatchInterval > TimeSpan.Zero)
        {
            _hurry.Wait(BatchInterval);
        }
        // A hurry that comes after this reset finds its work queued before it, and the writer drains that next.
        _hurry.Reset();
        Interlocked.Exchange(ref _idle, 0);
    }

    public void Dispose()
    {
        _wake.Dispose();
        _hurry.Dispose();
    }
}
