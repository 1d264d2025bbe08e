using System.Collections.Frozen;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Engine.Actions;

/// <summary>Builds actions through the registered <see cref="IRuleActionFactory"/>s, keyed by action key.</summary>
public interface IRuleActionRegistry
{
    /// <summary>True when a factory is registered for <paramref name="actionKey"/>.</summary>
    bool IsEmulated(string actionKey);

    /// <summary>
    /// Builds the action for <paramref name="config"/>. Action types without a factory produce a
    /// <see cref="NotEmulatedAction"/> (skipped and logged on use). Returns null when the config was invalid (errors reported).
    /// </summary>
    IRuleAction? Create(RuleActionConfig config, ActionCreateContext context);
}

public sealed class RuleActionRegistry : IRuleActionRegistry
{
    private readonly FrozenDictionary<string, IRuleActionFactory> _factories;
    private readonly ILogger _logger;

    public RuleActionRegistry(IEnumerable<IRuleActionFactory> factories, ILogger<RuleActionRegistry> logger)
    {
        // The first factory registered for a key wins, so tests can register fakes before the real ones.
        var byKey = new Dictionary<string, IRuleActionFactory>(StringComparer.Ordinal);
        foreach (var factory in factories)
        {
            byKey.TryAdd(factory.ActionKey, factory);
        }
        _factories = byKey.ToFrozenDictionary(StringComparer.Ordinal);
        _logger = logger;
    }

    public bool IsEmulated(string actionKey) => _factories.ContainsKey(actionKey);

    public IRuleAction? Create(RuleActionConfig config, ActionCreateContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        return _factories.TryGetValue(config.Key, out var factory)
            ? factory.Create(config, context)
            : new NotEmulatedAction(config.Key, config.Path, _logger);
    }
}

/// <summary>An action type the emulator accepts in a rule but does not run yet: each use is logged and skipped.</summary>
public sealed class NotEmulatedAction : IRuleAction
{
    private readonly ILogger _logger;

    public NotEmulatedAction(string actionKey, string path, ILogger logger)
    {
        ActionKey = actionKey;
        Path = path;
        _logger = logger;
    }

    public string ActionKey { get; }

    /// <summary>Where the action sits in the rule, e.g. <c>actions[2].sqs</c>.</summary>
    public string Path { get; }

    public bool IsEmulated => false;

    public ValueTask<ActionResult> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        EngineLog.ActionNotEmulated(_logger, context.Rule.Name, Path, ActionKey, context.Message.Topic, context.TraceId);
        return ValueTask.FromResult(ActionResult.Skip());
    }
}
