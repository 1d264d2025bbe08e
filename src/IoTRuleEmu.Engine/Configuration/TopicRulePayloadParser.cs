using System.Text;
using System.Text.Json;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Engine.Configuration;

/// <summary>
/// Reads a TopicRulePayload document (the JSON <c>aws iot create-topic-rule --topic-rule-payload</c> accepts) as strictly as
/// the CLI does: strict JSON, known fields only, right types. Every error names the source (the file), the field path, and for
/// JSON syntax errors the 1-based line and column. All problems are collected, not just the first.
/// </summary>
public static class TopicRulePayloadParser
{
    /// <summary>AWS ActionList maximum.</summary>
    public const int MaxActions = 10;

    private static readonly string[] s_fields = ["sql", "description", "actions", "ruleDisabled", "awsIotSqlVersion", "errorAction"];

    private static readonly JsonDocumentOptions s_options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Parses <paramref name="json"/>; throws <see cref="RuleConfigException"/> listing every problem.</summary>
    public static TopicRulePayload Parse(string json, string source) =>
        TryParse(Encoding.UTF8.GetBytes(json), source, out var payload, out var errors) ? payload! : throw new RuleConfigException(errors);

    /// <summary>Parses UTF-8 <paramref name="utf8Json"/>. On failure <paramref name="errors"/> lists every problem.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, string source, out TopicRulePayload? payload, out IReadOnlyList<RuleConfigError> errors)
    {
        var list = new List<RuleConfigError>();
        errors = list;
        payload = null;

        // Skip a UTF-8 byte order mark (editors on Windows write one).
        var span = utf8Json.Span;
        if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
        {
            utf8Json = utf8Json[3..];
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json, s_options);
        }
        catch (JsonException ex)
        {
            var line = (int?)ex.LineNumber + 1;
            var column = (int?)ex.BytePositionInLine + 1;
            list.Add(new RuleConfigError(source, ex.Path is null or "$" ? null : ex.Path, line, column, "Invalid JSON: " + StripPosition(ex.Message)));
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                list.Add(new RuleConfigError(source, null, null, null, $"Expected a JSON object (TopicRulePayload), found {Describe(root.ValueKind)}."));
                return false;
            }

            string? sql = null;
            string? description = null;
            string? version = null;
            var disabled = false;
            var actions = new List<RuleActionConfig>();
            RuleActionConfig? errorAction = null;
            var sawActions = false;

            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "sql":
                        sql = ReadString(property, source, list);
                        break;
                    case "description":
                        description = ReadString(property, source, list);
                        break;
                    case "awsIotSqlVersion":
                        version = ReadString(property, source, list);
                        if (version is not null && !SqlVersions.TryParse(version, out _))
                        {
                            list.Add(new RuleConfigError(source, "awsIotSqlVersion", null, null,
                                $"Unknown awsIotSqlVersion '{version}'. Valid values: 2015-10-08, 2016-03-23, beta."));
                        }
                        break;
                    case "ruleDisabled":
                        if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            disabled = property.Value.GetBoolean();
                        }
                        else
                        {
                            list.Add(TypeError(source, "ruleDisabled", "a boolean", property.Value));
                        }
                        break;
                    case "actions":
                        sawActions = true;
                        if (property.Value.ValueKind != JsonValueKind.Array)
                        {
                            list.Add(TypeError(source, "actions", "an array of actions", property.Value));
                            break;
                        }
                        var index = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            var action = ReadAction(item, $"actions[{index}]", source, list);
                            if (action is not null)
                            {
                                actions.Add(action);
                            }
                            index++;
                        }
                        if (index > MaxActions)
                        {
                            list.Add(new RuleConfigError(source, "actions", null, null,
                                $"A rule has at most {MaxActions} actions; this one has {index}."));
                        }
                        break;
                    case "errorAction":
                        if (property.Value.ValueKind != JsonValueKind.Null)
                        {
                            errorAction = ReadAction(property.Value, "errorAction", source, list);
                        }
                        break;
                    default:
                        list.Add(new RuleConfigError(source, property.Name, null, null,
                            $"Unknown field '{property.Name}'; a TopicRulePayload has: {string.Join(", ", s_fields)}."));
                        break;
                }
            }

            if (sql is null && !list.Exists(e => e.Path == "sql"))
            {
                list.Add(new RuleConfigError(source, "sql", null, null, "Missing required field 'sql'."));
            }
            else if (sql is not null && string.IsNullOrWhiteSpace(sql))
            {
                list.Add(new RuleConfigError(source, "sql", null, null, "'sql' must not be empty."));
            }
            if (!sawActions)
            {
                list.Add(new RuleConfigError(source, "actions", null, null, "Missing required field 'actions' (use [] for a rule without actions)."));
            }

            if (list.Count > 0)
            {
                return false;
            }

            payload = new TopicRulePayload
            {
                Sql = sql!,
                Description = description,
                Actions = actions,
                RuleDisabled = disabled,
                AwsIotSqlVersion = version,
                ErrorAction = errorAction,
            };
            return true;
        }
    }

    private static RuleActionConfig? ReadAction(JsonElement element, string path, string source, List<RuleConfigError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(TypeError(source, path, "an action object", element));
            return null;
        }
        RuleActionConfig? result = null;
        var count = 0;
        foreach (var member in element.EnumerateObject())
        {
            count++;
            if (!ActionKinds.IsKnown(member.Name))
            {
                errors.Add(new RuleConfigError(source, $"{path}.{member.Name}", null, null,
                    $"Unknown action type '{member.Name}'. Known action types: {string.Join(", ", ActionKinds.All)}."));
                continue;
            }
            if (member.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(TypeError(source, $"{path}.{member.Name}", "an object", member.Value));
                continue;
            }
            result = new RuleActionConfig(member.Name, member.Value.Clone(), $"{path}.{member.Name}");
        }
        if (count != 1)
        {
            errors.Add(new RuleConfigError(source, path, null, null,
                $"An action must set exactly one action type; found {count}."));
            return null;
        }
        return result;
    }

    private static string? ReadString(JsonProperty property, string source, List<RuleConfigError> errors)
    {
        if (property.Value.ValueKind == JsonValueKind.String)
        {
            return property.Value.GetString();
        }
        errors.Add(TypeError(source, property.Name, "a string", property.Value));
        return null;
    }

    private static RuleConfigError TypeError(string source, string path, string expected, JsonElement found) =>
        new(source, path, null, null, $"Expected {expected}, found {Describe(found.ValueKind)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // System.Text.Json appends "Path: $ | LineNumber: 0 | BytePositionInLine: 5." (0-based); we report 1-based positions ourselves.
    private static string StripPosition(string message)
    {
        var i = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (i < 0)
        {
            i = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }
        return i < 0 ? message : message[..i];
    }
}
