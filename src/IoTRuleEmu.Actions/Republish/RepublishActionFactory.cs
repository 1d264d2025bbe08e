using System.Text.Json;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Actions.Republish;

/// <summary>
/// Builds <see cref="RepublishAction"/>s from
/// <c>{"republish":{"roleArn","topic","qos","headers":{"payloadFormatIndicator","contentType","responseTopic","correlationData","messageExpiry","userProperties":[{"key","value"}]}}}</c>.
/// </summary>
public sealed class RepublishActionFactory(IServiceProvider services, ILogger<RepublishAction> logger) : IRuleActionFactory
{
    private const int MaxHeaderLength = 1024;
    private const int MaxUserProperties = 100;

    public string ActionKey => ActionKinds.Republish;

    public IRuleAction? Create(RuleActionConfig config, ActionCreateContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var path = config.Path;
        var ok = true;
        SubstitutionTemplate? topic = null;
        var qos = 0;
        RepublishHeaders? headers = null;
        var sawRole = false;
        foreach (var property in config.Body.EnumerateObject())
        {
            switch (property.Name)
            {
                case "roleArn":
                    sawRole = true;
                    if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(property.Value.GetString()))
                    {
                        context.AddError($"{path}.roleArn", "Expected a non-empty string (an IAM role ARN).");
                        ok = false;
                    }
                    break;
                case "topic":
                    topic = Template(property.Value, $"{path}.topic", context, ref ok, maxLength: null);
                    break;
                case "qos":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out qos) || qos is < 0 or > 1)
                    {
                        context.AddError($"{path}.qos", "Expected 0 or 1.");
                        ok = false;
                    }
                    break;
                case "headers":
                    headers = ReadHeaders(property.Value, $"{path}.headers", context, ref ok);
                    break;
                default:
                    context.AddError($"{path}.{property.Name}", $"Unknown field '{property.Name}'; the republish action has: roleArn, topic, qos, headers.");
                    ok = false;
                    break;
            }
        }
        if (!sawRole)
        {
            context.AddError($"{path}.roleArn", "Missing required field 'roleArn'.");
            ok = false;
        }
        if (topic is null && !config.Body.TryGetProperty("topic", out _))
        {
            context.AddError($"{path}.topic", "Missing required field 'topic'.");
            ok = false;
        }
        return ok && topic is not null
            ? new RepublishAction(topic, qos, headers, services.GetService<IMessagePublisher>(), logger)
            : null;
    }

    private static RepublishHeaders? ReadHeaders(JsonElement element, string path, ActionCreateContext context, ref bool ok)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            context.AddError(path, "Expected an object.");
            ok = false;
            return null;
        }
        SubstitutionTemplate? format = null, contentType = null, responseTopic = null, correlation = null, expiry = null;
        var userProperties = new List<(SubstitutionTemplate, SubstitutionTemplate)>();
        foreach (var property in element.EnumerateObject())
        {
            var fieldPath = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "payloadFormatIndicator":
                    format = Template(property.Value, fieldPath, context, ref ok);
                    if (format is { IsConstant: true } && format.Text is not ("UNSPECIFIED_BYTES" or "UTF8_DATA"))
                    {
                        context.AddError(fieldPath, "Expected UNSPECIFIED_BYTES or UTF8_DATA.");
                        ok = false;
                    }
                    break;
                case "contentType":
                    contentType = Template(property.Value, fieldPath, context, ref ok);
                    break;
                case "responseTopic":
                    responseTopic = Template(property.Value, fieldPath, context, ref ok);
                    break;
                case "correlationData":
                    correlation = Template(property.Value, fieldPath, context, ref ok);
                    break;
                case "messageExpiry":
                    expiry = Template(property.Value, fieldPath, context, ref ok);
                    break;
                case "userProperties":
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        context.AddError(fieldPath, "Expected an array of {\"key\",\"value\"} objects.");
                        ok = false;
                        break;
                    }
                    var count = property.Value.GetArrayLength();
                    if (count is < 1 or > MaxUserProperties)
                    {
                        context.AddError(fieldPath, $"Expected 1 to {MaxUserProperties} user properties, found {count}.");
                        ok = false;
                    }
                    var index = 0;
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        var itemPath = $"{fieldPath}[{index++}]";
                        if (item.ValueKind != JsonValueKind.Object
                            || !item.TryGetProperty("key", out var key)
                            || !item.TryGetProperty("value", out var value))
                        {
                            context.AddError(itemPath, "Expected an object with 'key' and 'value'.");
                            ok = false;
                            continue;
                        }
                        var keyTemplate = Template(key, itemPath + ".key", context, ref ok);
                        var valueTemplate = Template(value, itemPath + ".value", context, ref ok);
                        if (keyTemplate is not null && valueTemplate is not null)
                        {
                            userProperties.Add((keyTemplate, valueTemplate));
                        }
                    }
                    break;
                default:
                    context.AddError(fieldPath, $"Unknown header '{property.Name}'; republish headers are: payloadFormatIndicator, contentType, responseTopic, correlationData, messageExpiry, userProperties.");
                    ok = false;
                    break;
            }
        }
        return new RepublishHeaders(format, contentType, responseTopic, correlation, expiry, userProperties);
    }

    private static SubstitutionTemplate? Template(JsonElement element, string path, ActionCreateContext context, ref bool ok, int? maxLength = MaxHeaderLength)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            context.AddError(path, "Expected a string.");
            ok = false;
            return null;
        }
        var text = element.GetString()!;
        if (maxLength is { } max && text.Length > max)
        {
            context.AddError(path, $"At most {max} characters allowed.");
            ok = false;
            return null;
        }
        try
        {
            return SubstitutionTemplate.Parse(text, context.SqlVersion);
        }
        catch (SqlParseException ex)
        {
            context.AddError(path, "Invalid substitution template: " + ex.Message);
            ok = false;
            return null;
        }
    }
}
