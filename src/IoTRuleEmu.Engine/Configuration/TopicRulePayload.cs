using System.Text.Json;

namespace IoTRuleEmu.Engine.Configuration;

/// <summary>
/// A rule as the user wrote it: the TopicRulePayload that <c>aws iot create-topic-rule --topic-rule-payload</c> accepts.
/// Immutable user input; <see cref="Model.CompiledRule"/> is the validated, compiled form.
/// </summary>
public sealed record TopicRulePayload
{
    /// <summary>The rule's SQL statement (<c>sql</c>, required).</summary>
    public required string Sql { get; init; }

    /// <summary><c>description</c>, optional.</summary>
    public string? Description { get; init; }

    /// <summary><c>actions</c>: 0 to 10 actions.</summary>
    public IReadOnlyList<RuleActionConfig> Actions { get; init; } = [];

    /// <summary><c>ruleDisabled</c>, default false.</summary>
    public bool RuleDisabled { get; init; }

    /// <summary><c>awsIotSqlVersion</c> as written; null means the default <c>2015-10-08</c>.</summary>
    public string? AwsIotSqlVersion { get; init; }

    /// <summary><c>errorAction</c>: a single action, optional.</summary>
    public RuleActionConfig? ErrorAction { get; init; }
}

/// <summary>
/// One element of <c>actions</c> (or the <c>errorAction</c>): an Action union with exactly one member set.
/// <see cref="Key"/> is the member name (<c>lambda</c>, <c>republish</c>, …) and <see cref="Body"/> its JSON object,
/// which the action's factory reads.
/// </summary>
public sealed record RuleActionConfig
{
    public RuleActionConfig(string key, JsonElement body, string path)
    {
        Key = key;
        Body = body;
        Path = path;
    }

    /// <summary>The action key as written in the Action union, e.g. <c>lambda</c>.</summary>
    public string Key { get; }

    /// <summary>The action's own object (a detached clone, safe to keep).</summary>
    public JsonElement Body { get; }

    /// <summary>Where the action sits in the document, e.g. <c>actions[1].lambda</c> or <c>errorAction.republish</c>.</summary>
    public string Path { get; }

    /// <summary>Creates an action config from its JSON text (tests, API).</summary>
    public static RuleActionConfig Create(string key, string bodyJson, string path = "actions[0]")
    {
        using var doc = JsonDocument.Parse(bodyJson);
        return new RuleActionConfig(key, doc.RootElement.Clone(), $"{path}.{key}");
    }
}
