using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.Lambda.Persistence;

namespace IoTRuleEmu.Lambda.Configuration;

/// <summary>
/// The canonical EventInvokeConfigs, per function and qualifier (<c>$LATEST</c> when none is given). The functions file
/// sets one per function (<see cref="EventInvokeConfigSource.FunctionsFile"/>, replaced on reload); the
/// Put/Update/DeleteFunctionEventInvokeConfig API sets and removes them (<see cref="EventInvokeConfigSource.Api"/>,
/// persisted in <c>lambda-state.db</c>, kept across reloads until deleted). The async queue reads it for every decision.
/// Thread-safe. The caller checks that the function exists and validates settings (<see cref="EventInvokeConfigValidator"/>).
/// </summary>
public interface IEventInvokeConfigStore
{
    /// <summary>The config in force for the function and qualifier (null qualifier = <c>$LATEST</c>), or null.</summary>
    FunctionEventInvokeConfig? Get(string functionName, string? qualifier = null);

    /// <summary>Every config of the function (all qualifiers), <c>$LATEST</c> first.</summary>
    IReadOnlyList<FunctionEventInvokeConfig> List(string functionName);

    /// <summary>PutFunctionEventInvokeConfig: replaces the whole config (fields left out are dropped).</summary>
    FunctionEventInvokeConfig Put(string functionName, string? qualifier, EventInvokeSettings settings);

    /// <summary>
    /// UpdateFunctionEventInvokeConfig: <paramref name="merge"/> gets the existing settings and returns the new ones. Null
    /// when the function has no config for that qualifier (AWS: 404 "... doesn't have an EventInvokeConfig").
    /// </summary>
    FunctionEventInvokeConfig? Update(string functionName, string? qualifier, Func<EventInvokeSettings, EventInvokeSettings> merge);

    /// <summary>DeleteFunctionEventInvokeConfig; false when there was none.</summary>
    bool Delete(string functionName, string? qualifier);

    /// <summary>Replaces every functions-file config with these (the registry calls it on each load).</summary>
    void SetFileConfigs(IEnumerable<KeyValuePair<string, EventInvokeSettings>> configs);
}

/// <inheritdoc cref="IEventInvokeConfigStore"/>
public sealed class EventInvokeConfigStore : IEventInvokeConfigStore
{
    public const string Latest = "$LATEST";

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Function, string Qualifier), FunctionEventInvokeConfig> _configs = [];
    private readonly LambdaStateDatabase _database;
    private readonly TimeProvider _time;

    public EventInvokeConfigStore(LambdaStateDatabase database, TimeProvider timeProvider)
    {
        _database = database;
        _time = timeProvider;
        if (!database.HasStoredState)
        {
            return;
        }
        foreach (var config in LoadApiConfigs())
        {
            _configs[(config.FunctionName, config.Qualifier)] = config;
        }
    }

    public FunctionEventInvokeConfig? Get(string functionName, string? qualifier = null)
    {
        lock (_lock)
        {
            return _configs.GetValueOrDefault((functionName, qualifier ?? Latest));
        }
    }

    public IReadOnlyList<FunctionEventInvokeConfig> List(string functionName)
    {
        lock (_lock)
        {
            return [.. _configs.Values.Where(c => c.FunctionName == functionName)
                .OrderBy(c => c.Qualifier == Latest ? 0 : 1).ThenBy(c => c.Qualifier, StringComparer.Ordinal)];
        }
    }

    public FunctionEventInvokeConfig Put(string functionName, string? qualifier, EventInvokeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new FunctionEventInvokeConfig(functionName, qualifier ?? Latest, settings, _time.GetUtcNow(), EventInvokeConfigSource.Api);
        lock (_lock)
        {
            _configs[(config.FunctionName, config.Qualifier)] = config;
            Save(config);
        }
        return config;
    }

    public FunctionEventInvokeConfig? Update(string functionName, string? qualifier, Func<EventInvokeSettings, EventInvokeSettings> merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        lock (_lock)
        {
            var key = (functionName, qualifier ?? Latest);
            if (!_configs.TryGetValue(key, out var existing))
            {
                return null;
            }
            var config = new FunctionEventInvokeConfig(functionName, key.Item2, merge(existing.Settings), _time.GetUtcNow(), EventInvokeConfigSource.Api);
            _configs[key] = config;
            Save(config);
            return config;
        }
    }

    public bool Delete(string functionName, string? qualifier)
    {
        lock (_lock)
        {
            var key = (functionName, qualifier ?? Latest);
            if (!_configs.Remove(key))
            {
                return false;
            }
            _database.Use(c =>
            {
                using var command = c.CreateCommand();
                command.CommandText = "DELETE FROM event_invoke_configs WHERE function_name = $f AND qualifier = $q";
                command.Parameters.AddWithValue("$f", key.functionName);
                command.Parameters.AddWithValue("$q", key.Item2);
                command.ExecuteNonQuery();
            });
            return true;
        }
    }

    public void SetFileConfigs(IEnumerable<KeyValuePair<string, EventInvokeSettings>> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var key in _configs.Where(c => c.Value.Source == EventInvokeConfigSource.FunctionsFile).Select(c => c.Key).ToList())
            {
                _configs.Remove(key);
            }
            foreach (var (function, settings) in configs)
            {
                var key = (function, Latest);
                // A config set through the API wins until it is deleted.
                if (!_configs.ContainsKey(key))
                {
                    _configs[key] = new FunctionEventInvokeConfig(function, Latest, settings, now, EventInvokeConfigSource.FunctionsFile);
                }
            }
        }
    }

    private void Save(FunctionEventInvokeConfig config)
    {
        var json = new JsonObject
        {
            ["maximumRetryAttempts"] = config.Settings.MaximumRetryAttempts,
            ["maximumEventAgeInSeconds"] = config.Settings.MaximumEventAgeInSeconds,
            ["onSuccess"] = config.Settings.OnSuccessDestination,
            ["onFailure"] = config.Settings.OnFailureDestination,
            ["lastModifiedMs"] = config.LastModified.ToUnixTimeMilliseconds(),
        }.ToJsonString();
        _database.Use(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO event_invoke_configs (function_name, qualifier, state) VALUES ($f, $q, $s)";
            command.Parameters.AddWithValue("$f", config.FunctionName);
            command.Parameters.AddWithValue("$q", config.Qualifier);
            command.Parameters.AddWithValue("$s", json);
            command.ExecuteNonQuery();
        });
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private List<FunctionEventInvokeConfig> LoadApiConfigs() => _database.Use(c =>
    {
        var list = new List<FunctionEventInvokeConfig>();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT function_name, qualifier, state FROM event_invoke_configs";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            try
            {
                var state = JsonNode.Parse(reader.GetString(2))!;
                list.Add(new FunctionEventInvokeConfig(reader.GetString(0), reader.GetString(1),
                    new EventInvokeSettings((int?)state["maximumRetryAttempts"], (int?)state["maximumEventAgeInSeconds"], (string?)state["onSuccess"], (string?)state["onFailure"]),
                    DateTimeOffset.FromUnixTimeMilliseconds((long?)state["lastModifiedMs"] ?? 0), EventInvokeConfigSource.Api));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                // A damaged row is skipped; the rest still load.
            }
        }
        return list;
    });
}
