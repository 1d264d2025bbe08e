using System.Collections.Concurrent;
using IoTRuleEmu.Engine.Model;

namespace IoTRuleEmu.AwsApi.Iot;

/// <summary>Where a rule in the store came from.</summary>
public enum RuleOriginKind : byte
{
    /// <summary>A <c>--rules</c> file (read-only through the API).</summary>
    File,
    /// <summary>Created through CreateTopicRule; persisted under <c>&lt;data&gt;/api-rules</c>.</summary>
    Api,
    /// <summary>An <c>AWS::IoT::TopicRule</c> (or SAM IoTRule event) of a <c>--cloudformation</c> template (read-only through the API).</summary>
    CloudFormation,
}

/// <summary>The origin of one rule, and when it was created (GetTopicRule/ListTopicRules <c>createdAt</c>).</summary>
/// <param name="Path">The rule file, template file, or persisted API file.</param>
/// <param name="Resource">For templates: the resource's logical id (and event name for SAM events).</param>
public sealed record RuleOrigin(RuleOriginKind Kind, string? Path, string? Resource, DateTimeOffset CreatedAt);

/// <summary>
/// Which rules the API created and which came from templates; every other rule in <see cref="IRuleStore"/> is a rule file.
/// Thread-safe.
/// </summary>
public sealed class RuleOrigins
{
    private readonly ConcurrentDictionary<string, RuleOrigin> _origins = new(StringComparer.Ordinal);

    public void Set(string ruleName, RuleOrigin origin) => _origins[ruleName] = origin;

    public void Remove(string ruleName) => _origins.TryRemove(ruleName, out _);

    /// <summary>API and template rules, by name.</summary>
    public IReadOnlyDictionary<string, RuleOrigin> Known => _origins;

    /// <summary>The origin of <paramref name="rule"/>: recorded, or a rule file (created when the file was last written).</summary>
    public RuleOrigin Of(CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (_origins.TryGetValue(rule.Name, out var origin))
        {
            return origin;
        }
        DateTimeOffset created;
        try
        {
            created = File.Exists(rule.Source) ? new DateTimeOffset(File.GetLastWriteTimeUtc(rule.Source), TimeSpan.Zero) : DateTimeOffset.UnixEpoch;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            created = DateTimeOffset.UnixEpoch;
        }
        return new RuleOrigin(RuleOriginKind.File, rule.Source, null, created);
    }
}
