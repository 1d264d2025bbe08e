using IoTRuleEmu.Engine.Configuration;

namespace IoTRuleEmu.Engine.Model;

/// <summary>What a load or put did: the rules now in force from it, and every problem found.</summary>
public sealed record RuleLoadReport(IReadOnlyList<string> LoadedRules, IReadOnlyList<RuleConfigError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
