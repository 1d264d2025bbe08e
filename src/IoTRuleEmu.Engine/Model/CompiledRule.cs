using System.Collections.Immutable;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Engine.Model;

/// <summary>
/// A validated rule with its SQL compiled and its actions built. Immutable and shared by every worker; replacing a rule
/// builds a new instance (see <see cref="RuleSet"/>). Only <see cref="Counters"/> is mutable runtime state, carried over
/// when a rule of the same name is replaced.
/// </summary>
public sealed class CompiledRule
{
    internal CompiledRule(
        string name,
        string arn,
        string source,
        TopicRulePayload config,
        SqlStatement statement,
        ImmutableArray<IRuleAction> actions,
        IRuleAction? errorAction,
        bool disabled,
        RuleCounters counters)
    {
        Name = name;
        Arn = arn;
        Source = source;
        Config = config;
        Statement = statement;
        Actions = actions;
        ErrorAction = errorAction;
        Disabled = disabled;
        Counters = counters;
    }

    /// <summary>The rule name (the file name without <c>.json</c>).</summary>
    public string Name { get; }

    /// <summary><c>arn:aws:iot:&lt;region&gt;:&lt;account&gt;:rule/&lt;name&gt;</c></summary>
    public string Arn { get; }

    /// <summary>Where the rule came from (file path, or "api").</summary>
    public string Source { get; }

    /// <summary>The rule as written.</summary>
    public TopicRulePayload Config { get; }

    public SqlStatement Statement { get; }

    public SqlVersion SqlVersion => Statement.Version;

    /// <summary>The FROM topic filter; null when the SQL has no FROM (the rule then only receives Basic Ingest messages).</summary>
    public string? TopicFilter => Statement.TopicFilter;

    public ImmutableArray<IRuleAction> Actions { get; }

    public IRuleAction? ErrorAction { get; }

    /// <summary>Disabled rules never fire, neither from topic matches nor from Basic Ingest.</summary>
    public bool Disabled { get; }

    /// <summary>Per-rule counters (runtime state).</summary>
    public RuleCounters Counters { get; }

    internal CompiledRule WithDisabled(bool disabled) =>
        disabled == Disabled ? this : new CompiledRule(Name, Arn, Source, Config with { RuleDisabled = disabled }, Statement, Actions, ErrorAction, disabled, Counters);
}
