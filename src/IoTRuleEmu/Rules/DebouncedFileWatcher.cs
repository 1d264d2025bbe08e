namespace IoTRuleEmu.Rules;

/// <summary>
/// Watches one folder and reports changed files in batches once no further change arrived for
/// <see cref="Debounce"/> (editors write a file in several steps). The quiet period is measured with the injected
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock: wait for <see cref="ChangeQueued"/>, advance the
/// clock by <see cref="Debounce"/>, and the batch runs on the advancing thread.
/// </summary>
public sealed class DebouncedFileWatcher : IDisposable
{
    private readonly Func<string, bool> _filter;
    private readonly Action<IReadOnlyCollection<string>> _onBatch;
    private readonly Action<Exception> _onError;
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly Lock _batchLock = new();
    private HashSet<string> _pending = new(StringComparer.Ordinal);
    private bool _disposed;

    public DebouncedFileWatcher(
        string directory, Func<string, bool> filter, TimeSpan debounce, TimeProvider time,
        Action<IReadOnlyCollection<string>> onBatch, Action<Exception> onError)
    {
        Directory = directory;
        Debounce = debounce;
        _filter = filter;
        _onBatch = onBatch;
        _onError = onError;
        _timer = time.CreateTimer(_ => RunBatch(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Created += (_, e) => Queue(e.FullPath);
        _watcher.Changed += (_, e) => Queue(e.FullPath);
        _watcher.Deleted += (_, e) => Queue(e.FullPath);
        _watcher.Renamed += (_, e) =>
        {
            Queue(e.OldFullPath);
            Queue(e.FullPath);
        };
        _watcher.Error += (_, e) => _onError(e.GetException());
        _watcher.EnableRaisingEvents = true;
    }

    public string Directory { get; }

    public TimeSpan Debounce { get; }

    /// <summary>Raised (on the watcher's thread) when a change to a watched file was queued and the quiet period restarted.</summary>
    public event Action<string>? ChangeQueued;

    /// <summary>Queues <paramref name="path"/> as changed (also used after a watcher buffer overflow).</summary>
    public void Queue(string path)
    {
        if (!_filter(path))
        {
            return;
        }
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _pending.Add(path);
            _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
        ChangeQueued?.Invoke(path);
    }

    private void RunBatch()
    {
        // One batch at a time, in order.
        lock (_batchLock)
        {
            HashSet<string> batch;
            lock (_lock)
            {
                if (_disposed || _pending.Count == 0)
                {
                    return;
                }
                batch = _pending;
                _pending = new HashSet<string>(StringComparer.Ordinal);
            }
            try
            {
                _onBatch(batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _onError(ex);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _timer.Dispose();
    }
}
