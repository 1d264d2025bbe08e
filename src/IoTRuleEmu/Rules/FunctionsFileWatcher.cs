using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Rules;

/// <summary>
/// Reloads the functions file when it is created, changed or removed (the Lambda library loads it once at start).
/// An invalid file is reported by the registry and the functions already loaded stay in force.
/// </summary>
public sealed partial class FunctionsFileWatcher(
    IFunctionRegistry registry, EmulatorOptions options, TimeProvider time, RuleWatcherSettings settings,
    ILogger<FunctionsFileWatcher> logger) : IHostedService, IDisposable
{
    private DebouncedFileWatcher? _watcher;

    public string FunctionsFile { get; } = Path.GetFullPath(options.FunctionsFile);

    /// <summary>The folder watcher; null when the file's folder does not exist.</summary>
    public DebouncedFileWatcher? Watcher => _watcher;

    /// <summary>Raised after the file was reloaded, with the problems found (empty = fine).</summary>
    public event Action<IReadOnlyList<string>>? Reloaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FunctionsFile);
        if (directory is null || !Directory.Exists(directory))
        {
            return Task.CompletedTask;
        }
        _watcher = new DebouncedFileWatcher(
            directory,
            path => string.Equals(path, FunctionsFile, StringComparison.Ordinal),
            settings.Debounce,
            time,
            _ => Reload(),
            ex => Log.WatcherError(logger, FunctionsFile, ex.Message));
        return Task.CompletedTask;
    }

    private void Reload()
    {
        IReadOnlyList<string> problems;
        try
        {
            problems = registry.LoadFile(FunctionsFile);
        }
        catch (IOException ex)
        {
            _watcher?.Queue(FunctionsFile);
            Log.WatcherError(logger, FunctionsFile, ex.Message);
            return;
        }
        Log.Reloaded(logger, FunctionsFile, registry.Functions.Count, problems.Count);
        Reloaded?.Invoke(problems);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _watcher?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Logging.EventIds.FunctionsReloaded, LogLevel.Information, "Functions file {Path} reloaded: {FunctionCount} functions defined, {ProblemCount} problems")]
        public static partial void Reloaded(ILogger logger, string path, int functionCount, int problemCount);

        [LoggerMessage(Logging.EventIds.FunctionsWatcherError, LogLevel.Warning, "Watching functions file {Path}: {Reason}")]
        public static partial void WatcherError(ILogger logger, string path, string reason);
    }
}
