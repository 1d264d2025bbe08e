using System.Text.Json;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.AwsApi.Iot;

/// <summary>Writes rules in the shapes of GetTopicRule (<c>TopicRule</c>) and ListTopicRules (<c>TopicRuleListItem</c>).</summary>
internal static class TopicRuleJson
{
    /// <summary><c>{"ruleArn","rule":{"ruleName","sql","description","createdAt","actions","ruleDisabled","awsIotSqlVersion","errorAction"}}</c></summary>
    public static void WriteGetResponse(Utf8JsonWriter writer, CompiledRule rule, DateTimeOffset createdAt)
    {
        writer.WriteStartObject();
        writer.WriteString("ruleArn", rule.Arn);
        writer.WriteStartObject("rule");
        writer.WriteString("ruleName", rule.Name);
        writer.WriteString("sql", rule.Config.Sql);
        writer.WriteString("description", rule.Config.Description ?? string.Empty);
        writer.WriteEpochSeconds("createdAt", createdAt);
        writer.WriteStartArray("actions");
        foreach (var action in rule.Config.Actions)
        {
            WriteAction(writer, action);
        }
        writer.WriteEndArray();
        writer.WriteBoolean("ruleDisabled", rule.Disabled);
        writer.WriteString("awsIotSqlVersion", rule.Config.AwsIotSqlVersion ?? SqlVersions.Default);
        if (rule.Config.ErrorAction is { } errorAction)
        {
            writer.WritePropertyName("errorAction");
            WriteAction(writer, errorAction);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteListItem(Utf8JsonWriter writer, CompiledRule rule, DateTimeOffset createdAt)
    {
        writer.WriteStartObject();
        writer.WriteString("ruleArn", rule.Arn);
        writer.WriteString("ruleName", rule.Name);
        writer.WriteString("topicPattern", rule.TopicFilter ?? string.Empty);
        writer.WriteEpochSeconds("createdAt", createdAt);
        writer.WriteBoolean("ruleDisabled", rule.Disabled);
        writer.WriteEndObject();
    }

    private static void WriteAction(Utf8JsonWriter writer, RuleActionConfig action)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(action.Key);
        action.Body.WriteTo(writer);
        writer.WriteEndObject();
    }
}
