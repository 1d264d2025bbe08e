using IoTRuleEmu.Engine;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>The functions that exist. A snapshot swapped atomically on reload.</summary>
public interface IFunctionRegistry
{
    /// <summary>The functions now defined, by name.</summary>
    IReadOnlyDictionary<string, LambdaFunction> Functions { get; }

    bool TryGet(string name, out LambdaFunction function);

    /// <summary>
    /// (Re)loads the functions file. A missing file means no functions (logged, not an error). An invalid file is reported
    /// and the functions already loaded stay in force. Returns the problems found.
    /// </summary>
    IReadOnlyList<string> LoadFile(string path);

    /// <summary>Replaces every function (all sources) with <paramref name="definitions"/>, as the functions file's.</summary>
    void Replace(IEnumerable<FunctionDefinition> definitions);

    /// <summary>
    /// Sets the functions of one named source (e.g. a CloudFormation template), replacing that source's previous ones.
    /// The functions file (<see cref="FunctionRegistry.FileSource"/>) wins a name clash; other sources in the order first set.
    /// </summary>
    void SetSource(string source, IEnumerable<FunctionDefinition> definitions);

    /// <summary>The functions file's <c>endpoints</c> (where SQS/SNS destinations are delivered).</summary>
    ServiceEndpoints Endpoints { get; }
}

public sealed partial class FunctionRegistry : IFunctionRegistry
{
    private readonly IFunctionRunnerFactory _runners;
    private readonly RuleEngineOptions _options;
    private readonly ILogger _logger;
    private readonly IEventInvokeConfigStore? _configs;
    /// <summary>The source name of the functions file.</summary>
    public const string FileSource = "functions-file";

    private readonly Lock _lock = new();
    private readonly List<KeyValuePair<string, FunctionDefinition[]>> _sources = [];
    // Replaced whole, never changed after publication. A Dictionary rather than a FrozenDictionary: the few lookups a
    // message makes gain nothing measurable, and System.Collections.Immutable would cost ~1 MB resident at start.
    private volatile Dictionary<string, LambdaFunction> _functions = new(StringComparer.Ordinal);

    public FunctionRegistry(IFunctionRunnerFactory runners, IOptions<RuleEngineOptions> options, ILogger<FunctionRegistry> logger)
        : this(runners, options, logger, null)
    {
    }

    public FunctionRegistry(IFunctionRunnerFactory runners, IOptions<RuleEngineOptions> options, ILogger<FunctionRegistry> logger, IEventInvokeConfigStore? configs)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runners = runners;
        _options = options.Value;
        _logger = logger;
        _configs = configs;
    }

    public ServiceEndpoints Endpoints { get; private set; } = ServiceEndpoints.None;

    public IReadOnlyDictionary<string, LambdaFunction> Functions => _functions;

    public bool TryGet(string name, out LambdaFunction function) => _functions.TryGetValue(name, out function!);

    public IReadOnlyList<string> LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            LogFileMissing(_logger, path);
            SetSource(FileSource, []);
            return [];
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var error = $"{path}: cannot read the file: {ex.Message}";
            LogFileInvalid(_logger, path, error);
            return [error];
        }
        if (!FunctionsFileParser.TryParseFile(bytes, path, out var model, out var errors))
        {
            foreach (var error in errors)
            {
                LogFileInvalid(_logger, path, error);
            }
            return errors;
        }
        var definitions = model.Functions;
        Endpoints = model.Endpoints;
        SetSource(FileSource, definitions);
        LogLoaded(_logger, definitions.Count, path, string.Join(", ", definitions.Select(d => $"{d.Name} ({d.Describe()})")));
        return [];
    }

    public void Replace(IEnumerable<FunctionDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        lock (_lock)
        {
            _sources.Clear();
            _sources.Add(new(FileSource, [.. definitions]));
            Rebuild();
        }
    }

    public void SetSource(string source, IEnumerable<FunctionDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(definitions);
        lock (_lock)
        {
            var index = _sources.FindIndex(s => s.Key == source);
            var entry = new KeyValuePair<string, FunctionDefinition[]>(source, [.. definitions]);
            if (index >= 0)
            {
                _sources[index] = entry;
            }
            else
            {
                _sources.Add(entry);
            }
            Rebuild();
        }
    }

    private void Rebuild()
    {
        var merged = new Dictionary<string, LambdaFunction>(StringComparer.Ordinal);
        foreach (var (_, definitions) in _sources.OrderBy(s => s.Key == FileSource ? 0 : 1))
        {
            foreach (var d in definitions)
            {
                if (!merged.ContainsKey(d.Name))
                {
                    merged[d.Name] = new LambdaFunction(d, AwsArns.Function(_options.Region, _options.AccountId, d.Name), _runners.Create(d));
                }
            }
        }
        _functions = merged;
        _configs?.SetFileConfigs(merged.Values
            .Where(f => f.Definition.EventInvokeConfig is not null)
            .Select(f => KeyValuePair.Create(f.Name, f.Definition.EventInvokeConfig!)));
    }

    [LoggerMessage(EventIds.FunctionsLoaded, LogLevel.Information, "Loaded {Count} Lambda function(s) from {Path}: {Functions}")]
    private static partial void LogLoaded(ILogger logger, int count, string path, string functions);

    [LoggerMessage(EventIds.FunctionsFileMissing, LogLevel.Warning, "Functions file {Path} does not exist: no Lambda functions are defined")]
    private static partial void LogFileMissing(ILogger logger, string path);

    [LoggerMessage(EventIds.FunctionsFileInvalid, LogLevel.Error, "Functions file {Path} is invalid: {Error}")]
    private static partial void LogFileInvalid(ILogger logger, string path, string error);
}
