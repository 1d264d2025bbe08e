namespace IoTRuleEmu.Engine.Audit;

/// <summary>
/// An in-process, observable log of records: keeps the most recent ones in memory, raises <see cref="Appended"/> for each,
/// and lets callers await a record matching a predicate (including records appended before the call). Thread-safe.
/// </summary>
public class RecordLog<T> where T : class
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _records = new();
    private readonly List<Waiter> _waiters = [];
    private readonly int _capacity;
    private long _total;

    /// <summary>
    /// Records held in memory by default. Few on purpose: records kept past a garbage collection are copied to older
    /// generations, and under load 10,000 of them made the collector pause ~9 ms every ~200 ms (bench/run.sh); the
    /// JSON-lines files keep every record.
    /// </summary>
    public const int DefaultCapacity = 256;

    public RecordLog(int capacity = DefaultCapacity) => _capacity = Math.Max(1, capacity);

    /// <summary>Raised synchronously, on the appending thread, after each record is stored. Keep handlers cheap.</summary>
    public event Action<T>? Appended;

    /// <summary>How many records were appended since start (including ones no longer held in memory).</summary>
    public long TotalCount
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>A copy of the records held in memory, oldest first.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    /// <summary>Completes with the first record (held in memory or appended later) that matches <paramref name="match"/>.</summary>
    public Task<T> WaitForAsync(Func<T, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_lock)
        {
            foreach (var record in _records)
            {
                if (match(record))
                {
                    return Task.FromResult(record);
                }
            }
            var waiter = new Waiter(match);
            _waiters.Add(waiter);
            return waiter.Completion.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> records held in memory match <paramref name="match"/>; returns them.</summary>
    public async Task<IReadOnlyList<T>> WaitForCountAsync(Func<T, bool> match, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        while (true)
        {
            Task<T> next;
            lock (_lock)
            {
                var found = _records.Where(match).ToList();
                if (found.Count >= count)
                {
                    return found;
                }
                // Wait for the next matching record appended after now.
                var waiter = new Waiter(match);
                _waiters.Add(waiter);
                next = waiter.Completion.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores <paramref name="record"/>, wakes matching waiters and raises <see cref="Appended"/>.</summary>
    protected void Add(T record)
    {
        List<Waiter>? matched = null;
        lock (_lock)
        {
            _records.Enqueue(record);
            _total++;
            while (_records.Count > _capacity)
            {
                _records.Dequeue();
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(record))
                {
                    (matched ??= []).Add(_waiters[i]);
                    _waiters.RemoveAt(i);
                }
            }
        }
        if (matched is not null)
        {
            foreach (var waiter in matched)
            {
                waiter.Completion.TrySetResult(record);
            }
        }
        Appended?.Invoke(record);
    }

    private sealed class Waiter(Func<T, bool> match)
    {
        public Func<T, bool> Match { get; } = match;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
