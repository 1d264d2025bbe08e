using System.Collections.Immutable;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Engine.Model;

/// <inheritdoc cref="IRuleStore"/>
public sealed class RuleStore : IRuleStore
{
    private readonly IRuleActionRegistry _actions;
    private readonly RuleEngineOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private volatile RuleSet _current = RuleSet.Empty;

    public RuleStore(IRuleActionRegistry actions, IOptions<RuleEngineOptions> options, ILogger<RuleStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _actions = actions;
        _options = options.Value;
        _logger = logger;
    }

    public RuleSet Current => _current;

    public RuleLoadReport LoadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var errors = new List<RuleConfigError>();
        var loaded = new List<string>();
        var fullDirectory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory))
        {
            EngineLog.RulesDirectoryMissing(_logger, directory);
            lock (_writeLock)
            {
                var kept = new List<CompiledRule>();
                foreach (var rule in _current.Rules)
                {
                    if (IsFromDirectory(rule.Source, fullDirectory))
                    {
                        EngineLog.RuleRemoved(_logger, rule.Name);
                    }
                    else
                    {
                        kept.Add(rule);
                    }
                }
                _current = RuleSet.Create(kept);
            }
            return new RuleLoadReport(loaded, errors);
        }

        var files = Directory.GetFiles(directory, "*.json", SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        var failedFiles = 0;
        lock (_writeLock)
        {
            var previous = _current;
            var next = new Dictionary<string, CompiledRule>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var fileErrors = new List<RuleConfigError>();
                var rule = CompileFile(file, previous.Find(name)?.Counters, fileErrors);
                if (rule is not null)
                {
                    next[rule.Name] = rule;
                    loaded.Add(rule.Name);
                    continue;
                }
                failedFiles++;
                errors.AddRange(fileErrors);
                if (previous.Find(name) is { } old)
                {
                    next[name] = old;
                    EngineLog.RuleKeptPrevious(_logger, name, file);
                }
            }
            foreach (var old in previous.Rules)
            {
                if (next.ContainsKey(old.Name))
                {
                    continue;
                }
                if (IsFromDirectory(old.Source, fullDirectory))
                {
                    EngineLog.RuleRemoved(_logger, old.Name);
                }
                else
                {
                    // Rules from elsewhere (API, templates) are not this folder's to remove.
                    next[old.Name] = old;
                }
            }
            _current = RuleSet.Create(next.Values);
        }
        EngineLog.RulesLoaded(_logger, loaded.Count, directory, failedFiles);
        return new RuleLoadReport(loaded, errors);
    }

    public RuleLoadReport LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<RuleConfigError>();
        lock (_writeLock)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var previous = _current.Find(name);
            var rule = CompileFile(path, previous?.Counters, errors);
            if (rule is null)
            {
                if (previous is not null)
                {
                    EngineLog.RuleKeptPrevious(_logger, name, path);
                }
                return new RuleLoadReport([], errors);
            }
            Swap(rule);
            return new RuleLoadReport([rule.Name], errors);
        }
    }

    public bool RemoveFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Remove(Path.GetFileNameWithoutExtension(path));
    }

    public RuleLoadReport Put(string ruleName, TopicRulePayload payload, string source)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var errors = new List<RuleConfigError>();
        lock (_writeLock)
        {
            var rule = Compile(ruleName, payload, source, _current.Find(ruleName)?.Counters, errors);
            if (rule is null)
            {
                return new RuleLoadReport([], errors);
            }
            Swap(rule);
            return new RuleLoadReport([rule.Name], errors);
        }
    }

    public bool Remove(string ruleName)
    {
        lock (_writeLock)
        {
            var current = _current;
            if (current.Find(ruleName) is null)
            {
                return false;
            }
            _current = RuleSet.Create(current.Rules.Where(r => r.Name != ruleName));
            EngineLog.RuleRemoved(_logger, ruleName);
            return true;
        }
    }

    public bool SetEnabled(string ruleName, bool enabled)
    {
        lock (_writeLock)
        {
            var current = _current;
            if (current.Find(ruleName) is not { } rule)
            {
                return false;
            }
            _current = RuleSet.Create(current.Rules.Select(r => r.Name == ruleName ? rule.WithDisabled(!enabled) : r));
            EngineLog.RuleEnabledChanged(_logger, ruleName, enabled ? "enabled" : "disabled");
            return true;
        }
    }

    /// <summary>True when <paramref name="source"/> is a file directly inside <paramref name="fullDirectory"/>.</summary>
    private static bool IsFromDirectory(string source, string fullDirectory)
    {
        if (!source.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var parent = Path.GetDirectoryName(Path.GetFullPath(source));
            return parent is not null && string.Equals(Path.TrimEndingDirectorySeparator(parent), Path.TrimEndingDirectorySeparator(fullDirectory), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    private void Swap(CompiledRule rule) =>
        _current = RuleSet.Create(_current.Rules.Where(r => r.Name != rule.Name).Append(rule));

    private CompiledRule? CompileFile(string path, RuleCounters? counters, List<RuleConfigError> errors)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var error = new RuleConfigError(path, null, null, null, "Cannot read the file: " + ex.Message);
            errors.Add(error);
            EngineLog.RuleRejected(_logger, name, path, error.ToString());
            return null;
        }

        if (RuleNames.Validate(name) is { } nameError)
        {
            var error = new RuleConfigError(path, null, null, null, nameError + " (the file name is the rule name)");
            errors.Add(error);
            EngineLog.RuleRejected(_logger, name, path, error.ToString());
            return null;
        }

        if (!TopicRulePayloadParser.TryParse(bytes, path, out var payload, out var parseErrors))
        {
            errors.AddRange(parseErrors);
            foreach (var error in parseErrors)
            {
                EngineLog.RuleRejected(_logger, name, path, error.ToString());
            }
            return null;
        }
        return Compile(name, payload!, path, counters, errors, bytes);
    }

    /// <summary>Validates and compiles one rule; null (with <paramref name="errors"/> filled and logged) when invalid.</summary>
    private CompiledRule? Compile(string name, TopicRulePayload payload, string source, RuleCounters? counters, List<RuleConfigError> errors, byte[]? document = null)
    {
        var start = errors.Count;
        if (RuleNames.Validate(name) is { } nameError)
        {
            errors.Add(new RuleConfigError(source, null, null, null, nameError));
        }
        if (payload.Actions.Count > TopicRulePayloadParser.MaxActions)
        {
            errors.Add(new RuleConfigError(source, "actions", null, null,
                $"A rule has at most {TopicRulePayloadParser.MaxActions} actions; this one has {payload.Actions.Count}."));
        }

        var version = SqlVersion.V2015_10_08;
        if (!SqlVersions.TryParse(payload.AwsIotSqlVersion, out version))
        {
            errors.Add(new RuleConfigError(source, "awsIotSqlVersion", null, null,
                $"Unknown awsIotSqlVersion '{payload.AwsIotSqlVersion}'. Valid values: 2015-10-08, 2016-03-23, beta."));
        }

        SqlStatement? statement = null;
        try
        {
            statement = SqlStatement.Compile(payload.Sql, version);
            if (statement.TopicFilter is { } filter && !Sql.TopicFilter.IsValid(filter))
            {
                errors.Add(new RuleConfigError(source, "sql", null, null, $"Invalid topic filter '{filter}' in FROM."));
            }
        }
        catch (SqlParseException ex)
        {
            // Point at the error in the file when the rule came from one; the message names the position in the SQL.
            int? line = null, column = null;
            if (document is not null && JsonSourcePositions.TryLocate(document, "sql", ex.Offset, out var l, out var c))
            {
                (line, column) = (l, c);
            }
            errors.Add(new RuleConfigError(source, "sql", line, column, "SqlParseException: " + ex.Message));
        }

        var actions = ImmutableArray.CreateBuilder<IRuleAction>(payload.Actions.Count);
        var notEmulated = new List<RuleActionConfig>();
        foreach (var config in payload.Actions)
        {
            var action = _actions.Create(config, new ActionCreateContext(name, version, isErrorAction: false, source, errors));
            if (action is not null)
            {
                actions.Add(action);
                if (!action.IsEmulated)
                {
                    notEmulated.Add(config);
                }
            }
        }
        IRuleAction? errorAction = null;
        if (payload.ErrorAction is { } errorConfig)
        {
            errorAction = _actions.Create(errorConfig, new ActionCreateContext(name, version, isErrorAction: true, source, errors));
            if (errorAction is { IsEmulated: false })
            {
                notEmulated.Add(errorConfig);
            }
        }

        if (errors.Count > start || statement is null)
        {
            for (var i = start; i < errors.Count; i++)
            {
                EngineLog.RuleRejected(_logger, name, source, errors[i].ToString());
            }
            return null;
        }

        foreach (var config in notEmulated)
        {
            EngineLog.ActionTypeNotEmulated(_logger, name, config.Path, config.Key);
        }

        var rule = new CompiledRule(
            name,
            AwsArns.Rule(_options.Region, _options.AccountId, name),
            source,
            payload,
            statement,
            actions.ToImmutable(),
            errorAction,
            payload.RuleDisabled,
            counters ?? new RuleCounters());
        EngineLog.RuleLoaded(_logger, name, source, rule.Disabled ? "disabled" : "enabled", rule.TopicFilter, rule.Actions.Length,
            payload.ErrorAction?.Key ?? "none");
        return rule;
    }
}
