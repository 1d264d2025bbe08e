using System.Text;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.Iot;
using IoTRuleEmu.AwsApi.Lambda;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.AwsApi.CloudFormation;

/// <summary>A topic rule declared by a template.</summary>
/// <param name="Resource">The logical id (for a SAM event: <c>Function.Events.Event</c>).</param>
public sealed record TemplateRule(string RuleName, TopicRulePayload Payload, string TemplatePath, string Resource);

/// <summary>A function declared by a template (<c>AWS::Serverless::Function</c> or <c>AWS::Lambda::Function</c>).</summary>
public sealed record TemplateFunction(FunctionDefinition Definition, FunctionMetadata Metadata, string Resource);

/// <summary>A resource-policy statement declared by a template (<c>AWS::Lambda::Permission</c>, or SAM's implicit one).</summary>
public sealed record TemplatePermission(string FunctionName, PolicyStatement Statement);

/// <summary>What one template declares, and the problems found (each naming the file and the resource).</summary>
public sealed record TemplateLoadResult(
    string TemplatePath,
    IReadOnlyList<TemplateRule> Rules,
    IReadOnlyList<TemplateFunction> Functions,
    IReadOnlyList<TemplatePermission> Permissions,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Skipped);

/// <summary>
/// Reads the <c>AWS::IoT::TopicRule</c> resources of a CloudFormation or SAM template (JSON or YAML), its functions
/// (<c>AWS::Serverless::Function</c> with their <c>IoTRule</c> events, <c>AWS::Lambda::Function</c>) and its
/// <c>AWS::Lambda::Permission</c>s. Function names: <c>FunctionName</c>, else the logical id. Rule names:
/// <c>RuleName</c>, else the logical id (SAM events: function logical id + event name). As on AWS, rules may invoke a
/// template function only through a permission (<c>AWS::Lambda::Permission</c>, or the one SAM adds for an IoTRule
/// event, or <c>aws lambda add-permission</c>). A function's
/// <c>Metadata.IoTRuleEmu</c> <c>{"behavior":"fail","errorMessage":"…"}</c> sets how the emulated function behaves.
/// </summary>
public static class CloudFormationLoader
{
    public const string MetadataKey = "IoTRuleEmu";

    private static readonly string[] s_extensions = [".json", ".yaml", ".yml", ".template"];

    /// <summary>The template files of <paramref name="path"/>: the file itself, or a folder's templates (sorted).</summary>
    public static IReadOnlyList<string> TemplateFiles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return [.. Directory.GetFiles(path)
                .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
        }
        return File.Exists(path) ? [path] : [];
    }

    public static TemplateLoadResult Load(string path, string region, string account)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var errors = new List<string>();
        var skipped = new List<string>();
        var rules = new List<TemplateRule>();
        var functions = new List<TemplateFunction>();
        var permissions = new List<TemplatePermission>();
        var result = new TemplateLoadResult(full, rules, functions, permissions, errors, skipped);

        JsonObject template;
        try
        {
            template = TemplateReader.Parse(File.ReadAllText(full), full);
        }
        catch (Exception ex) when (ex is TemplateException or IOException or UnauthorizedAccessException)
        {
            errors.Add(ex.Message);
            return result;
        }
        if (template["Resources"] is not JsonObject resources)
        {
            errors.Add($"{full}: not a CloudFormation template (no Resources section).");
            return result;
        }
        var stackName = Path.GetFileNameWithoutExtension(full);

        // Physical names first: Ref and Fn::GetAtt on functions and rules need them.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var naming = new IntrinsicResolver(template, [], region, account, stackName);
        foreach (var (logicalId, node) in resources)
        {
            if (node is not JsonObject resource)
            {
                continue;
            }
            var properties = resource["Properties"] as JsonObject;
            try
            {
                switch (Type(resource))
                {
                    case "AWS::Serverless::Function" or "AWS::Lambda::Function":
                        names[logicalId] = naming.ResolveString(properties?["FunctionName"]) ?? logicalId;
                        break;
                    case "AWS::IoT::TopicRule":
                        names[logicalId] = naming.ResolveString(properties?["RuleName"]) ?? logicalId;
                        break;
                }
            }
            catch (TemplateException ex)
            {
                errors.Add($"{full} [{logicalId}]: {ex.Message}");
            }
        }

        var resolver = new IntrinsicResolver(template, names, region, account, stackName);
        var globals = template["Globals"]?["Function"] as JsonObject;
        foreach (var (logicalId, node) in resources)
        {
            if (node is not JsonObject resource)
            {
                continue;
            }
            var where = $"{full} [{logicalId}]";
            try
            {
                switch (Type(resource))
                {
                    case "AWS::Serverless::Function" or "AWS::Lambda::Function":
                        LoadFunction(resource, logicalId, names[logicalId], globals, resolver, region, account, full, rules, functions, permissions, errors);
                        break;
                    case "AWS::IoT::TopicRule":
                        var properties = resolver.Resolve(resource["Properties"]) as JsonObject ?? [];
                        var payload = properties["TopicRulePayload"] as JsonObject
                            ?? throw new TemplateException("TopicRulePayload is required.");
                        AddRule(names[logicalId], (JsonObject)CamelCase(payload)!, full, logicalId, rules, errors);
                        break;
                    case "AWS::Lambda::Permission":
                        var p = resolver.Resolve(resource["Properties"]) as JsonObject ?? [];
                        var target = IntrinsicResolver.Text(p["FunctionName"]) ?? throw new TemplateException("FunctionName is required.");
                        var functionName = FunctionNames.TryParse(target, out var parsed) ? parsed.Name : target;
                        permissions.Add(new TemplatePermission(functionName, new PolicyStatement(
                            logicalId,
                            IntrinsicResolver.Text(p["Action"]) ?? "lambda:InvokeFunction",
                            IntrinsicResolver.Text(p["Principal"]) ?? throw new TemplateException("Principal is required."),
                            IntrinsicResolver.Text(p["SourceArn"]),
                            IntrinsicResolver.Text(p["SourceAccount"]))));
                        break;
                    default:
                        skipped.Add($"{logicalId} ({Type(resource)})");
                        break;
                }
            }
            catch (TemplateException ex)
            {
                errors.Add($"{where}: {ex.Message}");
            }
        }
        return result;
    }

    private static void LoadFunction(JsonObject resource, string logicalId, string name, JsonObject? globals, IntrinsicResolver resolver,
        string region, string account, string templatePath, List<TemplateRule> rules, List<TemplateFunction> functions,
        List<TemplatePermission> permissions, List<string> errors)
    {
        if (!FunctionNames.IsValidName(name))
        {
            throw new TemplateException($"Function name '{name}' is invalid: 1-64 characters [a-zA-Z0-9-_].");
        }
        var properties = resolver.Resolve(resource["Properties"]) as JsonObject ?? [];
        var global = resolver.Resolve(globals) as JsonObject ?? [];
        string? Prop(string key) => IntrinsicResolver.Text(properties[key]) ?? IntrinsicResolver.Text(global[key]);
        int IntProp(string key, int fallback) => int.TryParse(Prop(key), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;

        var behavior = FunctionBehavior.Succeed;
        string? errorMessage = null;
        if (resource["Metadata"]?[MetadataKey] is JsonObject emulator)
        {
            behavior = IntrinsicResolver.Text(emulator["behavior"]) switch
            {
                null or "succeed" => FunctionBehavior.Succeed,
                "fail" => FunctionBehavior.Fail,
                var other => throw new TemplateException($"Metadata.{MetadataKey}.behavior '{other}' is invalid: expected succeed or fail."),
            };
            errorMessage = IntrinsicResolver.Text(emulator["errorMessage"]);
        }
        functions.Add(new TemplateFunction(
            new FunctionDefinition { Name = name, Behavior = behavior, ErrorMessage = errorMessage, AllowIoT = false, TimeoutSeconds = IntProp("Timeout", 3), MemorySize = IntProp("MemorySize", 128) },
            new FunctionMetadata(Prop("Runtime"), Prop("Handler"), Prop("Description"), IntrinsicResolver.Text(properties["Role"]), templatePath),
            logicalId));

        // SAM: Events of Type IoTRule become a topic rule invoking this function, plus the permission SAM adds.
        if (properties["Events"] is JsonObject events)
        {
            foreach (var (eventName, eventNode) in events)
            {
                if (eventNode is not JsonObject e || IntrinsicResolver.Text(e["Type"]) != "IoTRule")
                {
                    continue;
                }
                var ep = e["Properties"] as JsonObject ?? [];
                var ruleName = logicalId + eventName;
                var payload = new JsonObject
                {
                    ["sql"] = IntrinsicResolver.Text(ep["Sql"]),
                    ["ruleDisabled"] = false,
                    ["actions"] = new JsonArray(new JsonObject { ["lambda"] = new JsonObject { ["functionArn"] = Engine.AwsArns.Function(region, account, name) } }),
                };
                if (IntrinsicResolver.Text(ep["AwsIotSqlVersion"]) is { } version)
                {
                    payload["awsIotSqlVersion"] = version;
                }
                AddRule(ruleName, payload, templatePath, $"{logicalId}.Events.{eventName}", rules, errors);
                permissions.Add(new TemplatePermission(name, new PolicyStatement(
                    ruleName + "Permission", "lambda:InvokeFunction", "iot.amazonaws.com",
                    Engine.AwsArns.Rule(region, account, ruleName), account)));
            }
        }
    }

    private static void AddRule(string ruleName, JsonObject payloadJson, string templatePath, string resource, List<TemplateRule> rules, List<string> errors)
    {
        var where = $"{templatePath} [{resource}]";
        if (RuleNames.Validate(ruleName) is { } nameError)
        {
            errors.Add($"{where}: {nameError}");
            return;
        }
        if (!TopicRulePayloadParser.TryParse(Encoding.UTF8.GetBytes(payloadJson.ToJsonString()), where, out var payload, out var parseErrors))
        {
            errors.AddRange(parseErrors.Select(e => e.ToString()));
            return;
        }
        try
        {
            IotHandler.CompileSql(payload!);
        }
        catch (AwsApiException ex)
        {
            errors.Add($"{where} [sql]: {ex.Code}: {ex.Message}");
            return;
        }
        rules.Add(new TemplateRule(ruleName, payload!, templatePath, resource));
    }

    private static string? Type(JsonObject resource) => IntrinsicResolver.Text(resource["Type"]);

    /// <summary>CloudFormation spells TopicRulePayload members in PascalCase; the API in camelCase. Map keys (Kafka ClientProperties) stay as written.</summary>
    internal static JsonNode? CamelCase(JsonNode? node, bool keepKeys = false) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => new KeyValuePair<string, JsonNode?>(
            keepKeys || p.Key.Length == 0 ? p.Key : char.ToLowerInvariant(p.Key[0]) + p.Key[1..],
            CamelCase(p.Value, p.Key == "ClientProperties")))),
        JsonArray array => new JsonArray([.. array.Select(n => CamelCase(n))]),
        _ => node?.DeepClone(),
    };
}
