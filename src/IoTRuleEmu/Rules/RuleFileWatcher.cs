using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Hosting;
using IoTRuleEmu.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Rules;

/// <summary>
/// Loads <c>&lt;rules&gt;/*.json</c> at start and keeps the rule store in step with the folder: a file added or
/// changed is (re)loaded, a file removed removes its rule. A bad file is reported by the store (file, position,
/// reason) and skipped; every other rule keeps working. A missing folder means no rules.
/// </summary>
public sealed partial class RuleFileWatcher(
    IRuleStore store, EmulatorOptions options, TimeProvider time, EmulatorReadiness readiness,
    RuleWatcherSettings settings, ILogger<RuleFileWatcher> logger) : IHostedService, IDisposable
{
    private DebouncedFileWatcher? _watcher;

    /// <summary>The full path of the rules folder.</summary>
    public string RulesDirectory { get; } = Path.GetFullPath(options.RulesDirectory);

    /// <summary>The folder watcher; null when the folder did not exist at start.</summary>
    public DebouncedFileWatcher? Watcher => _watcher;

    /// <summary>Raised after a batch of file changes was applied, with what each load did.</summary>
    public event Action<IReadOnlyList<RuleFileChange>>? Reloaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(RulesDirectory))
        {
            Log.NoRulesDirectory(logger, RulesDirectory);
            readiness.MarkRulesLoaded();
            return Task.CompletedTask;
        }
        var report = store.LoadDirectory(RulesDirectory);
        Log.RulesLoaded(logger, report.LoadedRules.Count, RulesDirectory, report.Errors.Count);
        _watcher = new DebouncedFileWatcher(
            RulesDirectory,
            static path => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase),
            settings.Debounce,
            time,
            ApplyBatch,
            OnWatcherError);
        readiness.MarkRulesLoaded();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        return Task.CompletedTask;
    }

    private void ApplyBatch(IReadOnlyCollection<string> paths)
    {
        var changes = new List<RuleFileChange>(paths.Count);
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            if (File.Exists(path))
            {
                RuleLoadReport report;
                try
                {
                    report = store.LoadFile(path);
                }
                catch (IOException ex)
                {
                    // Still being written by someone: try again after the next quiet period.
                    Log.RuleFileBusy(logger, path, ex.Message);
                    _watcher?.Queue(path);
                    continue;
                }
                if (report.Succeeded)
                {
                    Log.RuleFileLoaded(logger, path, string.Join(", ", report.LoadedRules));
                }
                else
                {
                    Log.RuleFileRejected(logger, path, report.Errors.Count);
                }
                changes.Add(new RuleFileChange(path, Removed: false, report));
            }
            else
            {
                var removed = store.RemoveFile(path);
                if (removed)
                {
                    Log.RuleFileRemoved(logger, path);
                }
                changes.Add(new RuleFileChange(path, Removed: true, null));
            }
        }
        Reloaded?.Invoke(changes);
    }

    private void OnWatcherError(Exception ex)
    {
        // Typically an overflowed event buffer: reload the whole folder so nothing is missed.
        Log.WatcherError(logger, RulesDirectory, ex.Message);
        if (Directory.Exists(RulesDirectory))
        {
            var report = store.LoadDirectory(RulesDirectory);
            Log.RulesLoaded(logger, report.LoadedRules.Count, RulesDirectory, report.Errors.Count);
        }
    }

    public void Dispose() => _watcher?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Logging.EventIds.NoRulesDirectory, LogLevel.Warning, "Rules folder {RulesDirectory} does not exist: starting with no rules (create it and restart to add rules)")]
        public static partial void NoRulesDirectory(ILogger logger, string rulesDirectory);

        [LoggerMessage(Logging.EventIds.RulesLoaded, LogLevel.Information, "Loaded {RuleCount} rules from {RulesDirectory} ({SkippedCount} files skipped)")]
        public static partial void RulesLoaded(ILogger logger, int ruleCount, string rulesDirectory, int skippedCount);

        [LoggerMessage(Logging.EventIds.RuleFileLoaded, LogLevel.Information, "Rule file {Path} loaded: {RuleNames}")]
        public static partial void RuleFileLoaded(ILogger logger, string path, string ruleNames);

        [LoggerMessage(Logging.EventIds.RuleFileRejected, LogLevel.Warning, "Rule file {Path} skipped: {ErrorCount} problems (see above); the previous version of the rule, if any, stays in force")]
        public static partial void RuleFileRejected(ILogger logger, string path, int errorCount);

        [LoggerMessage(Logging.EventIds.RuleFileRemoved, LogLevel.Information, "Rule file {Path} removed: rule deleted")]
        public static partial void RuleFileRemoved(ILogger logger, string path);

        [LoggerMessage(Logging.EventIds.RuleWatcherError, LogLevel.Warning, "Watching {RulesDirectory} failed ({Reason}); reloading the whole folder")]
        public static partial void WatcherError(ILogger logger, string rulesDirectory, string reason);

        [LoggerMessage(Logging.EventIds.RuleFileBusy, LogLevel.Debug, "Rule file {Path} could not be read yet ({Reason}); retrying")]
        public static partial void RuleFileBusy(ILogger logger, string path, string reason);
    }
}

/// <summary>Settings of the rules folder watcher.</summary>
public sealed record RuleWatcherSettings
{
    /// <summary>The quiet period before changed files are loaded. Defaults to 250 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>One file of a reload batch: loaded (with the store's report) or removed.</summary>
public sealed record RuleFileChange(string Path, bool Removed, RuleLoadReport? Report);
