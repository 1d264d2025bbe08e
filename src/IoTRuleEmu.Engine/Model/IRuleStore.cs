using IoTRuleEmu.Engine.Configuration;

namespace IoTRuleEmu.Engine.Model;

/// <summary>
/// Holds the rules in force. Writes validate and compile first, then swap the whole <see cref="RuleSet"/> atomically; a
/// rule that fails validation never replaces a good one. Every error is logged and returned.
/// </summary>
public interface IRuleStore
{
    /// <summary>The current snapshot. Read it once and use it for a whole message.</summary>
    RuleSet Current { get; }

    /// <summary>
    /// Loads every <c>&lt;directory&gt;/&lt;ruleName&gt;.json</c>, replacing the rules that came from that folder: rules
    /// whose file is gone are removed; a bad file is reported and skipped, keeping the previous version of that rule if
    /// there was one. Rules from other sources (<see cref="Put"/> with a source outside the folder) are kept, unless a
    /// file in the folder has the same name. A missing folder means no rules from it (logged), not an error.
    /// </summary>
    RuleLoadReport LoadDirectory(string directory);

    /// <summary>Adds or replaces the rule in <paramref name="path"/> (named by the file). Invalid → reported, previous version kept.</summary>
    RuleLoadReport LoadFile(string path);

    /// <summary>Removes the rule named by the file <paramref name="path"/>. Returns false if there was none.</summary>
    bool RemoveFile(string path);

    /// <summary>Adds or replaces <paramref name="ruleName"/> from a parsed payload (<paramref name="source"/> names its origin in errors).</summary>
    RuleLoadReport Put(string ruleName, TopicRulePayload payload, string source);

    bool Remove(string ruleName);

    /// <summary>Enables or disables a loaded rule. Returns false when there is no such rule.</summary>
    bool SetEnabled(string ruleName, bool enabled);
}
