using System.Collections.Frozen;
using System.Collections.Immutable;
using IoTRuleEmu.Engine.Matching;

namespace IoTRuleEmu.Engine.Model;

/// <summary>
/// An immutable snapshot of every loaded rule plus the topic-filter index over the enabled ones. The store swaps the whole
/// snapshot atomically; a worker reads <see cref="IRuleStore.Current"/> once per message and takes no lock.
/// </summary>
public sealed class RuleSet
{
    private RuleSet(FrozenDictionary<string, CompiledRule> byName)
    {
        ByName = byName;
        Rules = [.. byName.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
        var builder = new TopicFilterIndex<CompiledRule>.Builder();
        foreach (var rule in Rules)
        {
            if (!rule.Disabled && rule.TopicFilter is { Length: > 0 } filter)
            {
                builder.Add(filter, rule);
            }
        }
        Index = builder.Build();
    }

    public static RuleSet Empty { get; } = new(FrozenDictionary<string, CompiledRule>.Empty);

    /// <summary>Every rule, enabled or not, ordered by name.</summary>
    public ImmutableArray<CompiledRule> Rules { get; }

    public FrozenDictionary<string, CompiledRule> ByName { get; }

    /// <summary>Enabled rules that have a FROM filter, indexed by it.</summary>
    public TopicFilterIndex<CompiledRule> Index { get; }

    public int Count => ByName.Count;

    public CompiledRule? Find(string ruleName) => ByName.GetValueOrDefault(ruleName);

    internal static RuleSet Create(IEnumerable<CompiledRule> rules) =>
        new(rules.ToFrozenDictionary(r => r.Name, StringComparer.Ordinal));
}
