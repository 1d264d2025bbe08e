using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRuleEmu.AwsApi.CloudFormation;

/// <summary>
/// Resolves the intrinsic functions a topic rule typically uses: <c>Ref</c> (parameters with defaults, pseudo parameters,
/// resources), <c>Fn::GetAtt</c> (functions' and rules' <c>Arn</c>, roles, queues, topics), <c>Fn::Sub</c> (both forms),
/// <c>Fn::Join</c>, <c>Fn::Select</c>, <c>Fn::Split</c>, <c>Fn::Base64</c> and <c>Fn::If</c> with simple conditions.
/// A reference that cannot be resolved throws <see cref="TemplateException"/>.
/// </summary>
public sealed class IntrinsicResolver
{
    /// <summary>The value of <c>Ref: AWS::NoValue</c>: removes the member or item that holds it.</summary>
    private static readonly JsonObject s_noValue = [];

    private readonly JsonObject _resources;
    private readonly JsonObject _parameters;
    private readonly JsonObject _conditions;
    private readonly Dictionary<string, string> _physicalNames;
    private readonly string _region;
    private readonly string _account;
    private readonly string _stackName;

    /// <param name="physicalNames">Logical id → physical name (function names, rule names) decided by the loader.</param>
    public IntrinsicResolver(JsonObject template, Dictionary<string, string> physicalNames, string region, string account, string stackName)
    {
        ArgumentNullException.ThrowIfNull(template);
        _resources = template["Resources"] as JsonObject ?? [];
        _parameters = template["Parameters"] as JsonObject ?? [];
        _conditions = template["Conditions"] as JsonObject ?? [];
        _physicalNames = physicalNames;
        _region = region;
        _account = account;
        _stackName = stackName;
    }

    /// <summary>A deep copy of <paramref name="node"/> with every intrinsic replaced by its value (<c>AWS::NoValue</c> removes the member).</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 1 && IsIntrinsic(obj.First().Key):
                var (name, argument) = obj.First();
                return Evaluate(name, argument);
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    var value = Resolve(child);
                    if (!ReferenceEquals(value, s_noValue))
                    {
                        result[key] = value;
                    }
                }
                return result;
            case JsonArray array:
                var list = new JsonArray();
                foreach (var child in array)
                {
                    var value = Resolve(child);
                    if (!ReferenceEquals(value, s_noValue))
                    {
                        list.Add(value);
                    }
                }
                return list;
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>Resolves <paramref name="node"/> to a string (numbers and booleans are written as text).</summary>
    public string? ResolveString(JsonNode? node) => Text(Resolve(node));

    private static bool IsIntrinsic(string key) => key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? Evaluate(string function, JsonNode? argument)
    {
        switch (function)
        {
            case "Ref":
                return Ref(Text(Resolve(argument)) ?? throw new TemplateException("Ref needs a name."));
            case "Fn::GetAtt":
            {
                var parts = Resolve(argument) switch
                {
                    JsonArray a when a.Count == 2 => (Text(a[0]), Text(a[1])),
                    JsonValue v when Text(v) is { } dotted && dotted.Contains('.', StringComparison.Ordinal) => (dotted[..dotted.IndexOf('.', StringComparison.Ordinal)], dotted[(dotted.IndexOf('.', StringComparison.Ordinal) + 1)..]),
                    _ => throw new TemplateException("Fn::GetAtt needs [LogicalId, Attribute]."),
                };
                return JsonValue.Create(GetAtt(parts.Item1!, parts.Item2!));
            }
            case "Fn::Sub":
            {
                var resolved = Resolve(argument);
                string template;
                var variables = new Dictionary<string, string>(StringComparer.Ordinal);
                if (resolved is JsonArray a && a.Count == 2)
                {
                    template = Text(a[0]) ?? "";
                    if (a[1] is JsonObject vars)
                    {
                        foreach (var (k, v) in vars)
                        {
                            variables[k] = Text(v) ?? "";
                        }
                    }
                }
                else
                {
                    template = Text(resolved) ?? throw new TemplateException("Fn::Sub needs a string.");
                }
                return JsonValue.Create(Sub(template, variables));
            }
            case "Fn::Join":
            {
                if (Resolve(argument) is not JsonArray a || a.Count != 2 || a[1] is not JsonArray items)
                {
                    throw new TemplateException("Fn::Join needs [delimiter, [values]].");
                }
                return JsonValue.Create(string.Join(Text(a[0]) ?? "", items.Select(Text)));
            }
            case "Fn::Select":
            {
                if (Resolve(argument) is not JsonArray a || a.Count != 2 || a[1] is not JsonArray items
                    || !int.TryParse(Text(a[0]), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || index >= items.Count)
                {
                    throw new TemplateException("Fn::Select needs [index, [values]] with the index in range.");
                }
                return items[index]?.DeepClone();
            }
            case "Fn::Split":
            {
                if (Resolve(argument) is not JsonArray a || a.Count != 2)
                {
                    throw new TemplateException("Fn::Split needs [delimiter, string].");
                }
                return new JsonArray([.. (Text(a[1]) ?? "").Split(Text(a[0]) ?? ",").Select(s => (JsonNode?)JsonValue.Create(s))]);
            }
            case "Fn::Base64":
                return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(Text(Resolve(argument)) ?? "")));
            case "Fn::If":
            {
                if (argument is not JsonArray a || a.Count != 3)
                {
                    throw new TemplateException("Fn::If needs [condition, valueIfTrue, valueIfFalse].");
                }
                return Resolve(Condition(Text(a[0]) ?? "") ? a[1] : a[2]);
            }
            case "Condition":
                return JsonValue.Create(Condition(Text(argument) ?? ""));
            case "Fn::Equals":
            {
                if (Resolve(argument) is not JsonArray a || a.Count != 2)
                {
                    throw new TemplateException("Fn::Equals needs two values.");
                }
                return JsonValue.Create(Text(a[0]) == Text(a[1]));
            }
            case "Fn::Not":
                return JsonValue.Create(!(Resolve(argument) is JsonArray { Count: 1 } notArgs && Bool(notArgs[0])));
            case "Fn::And":
                return JsonValue.Create(Resolve(argument) is JsonArray all && all.All(Bool));
            case "Fn::Or":
                return JsonValue.Create(Resolve(argument) is JsonArray any && any.Any(Bool));
            default:
                throw new TemplateException($"{function} is not supported by the emulator's template loader.");
        }
    }

    private bool Condition(string name)
    {
        if (_conditions[name] is not { } definition)
        {
            throw new TemplateException($"Condition '{name}' is not defined.");
        }
        return Bool(Resolve(definition));
    }

    private static bool Bool(JsonNode? node) => node is JsonValue v && (v.TryGetValue<bool>(out var b) ? b : Text(v) == "true");

    private JsonNode? Ref(string name)
    {
        switch (name)
        {
            case "AWS::Region": return JsonValue.Create(_region);
            case "AWS::AccountId": return JsonValue.Create(_account);
            case "AWS::Partition": return JsonValue.Create("aws");
            case "AWS::StackName": return JsonValue.Create(_stackName);
            case "AWS::StackId": return JsonValue.Create($"arn:aws:cloudformation:{_region}:{_account}:stack/{_stackName}/00000000-0000-0000-0000-000000000000");
            case "AWS::URLSuffix": return JsonValue.Create("amazonaws.com");
            case "AWS::NoValue": return s_noValue;
        }
        if (_parameters[name] is JsonObject parameter)
        {
            if (parameter["Default"] is not { } defaultValue)
            {
                throw new TemplateException($"Parameter '{name}' has no Default; the emulator cannot be given parameter values.");
            }
            return Resolve(defaultValue);
        }
        if (_physicalNames.TryGetValue(name, out var physical))
        {
            return JsonValue.Create(physical);
        }
        if (_resources[name] is JsonObject resource)
        {
            var type = Text(resource["Type"]) ?? "";
            return JsonValue.Create(type switch
            {
                "AWS::SNS::Topic" => $"arn:aws:sns:{_region}:{_account}:{name}",
                "AWS::SQS::Queue" => $"https://sqs.{_region}.amazonaws.com/{_account}/{name}",
                _ => name,
            });
        }
        throw new TemplateException($"Ref to '{name}': no such parameter or resource.");
    }

    private string GetAtt(string logicalId, string attribute)
    {
        if (_resources[logicalId] is not JsonObject resource)
        {
            throw new TemplateException($"Fn::GetAtt on '{logicalId}': no such resource.");
        }
        var type = Text(resource["Type"]) ?? "";
        var physical = _physicalNames.GetValueOrDefault(logicalId, logicalId);
        return (type, attribute) switch
        {
            ("AWS::Lambda::Function" or "AWS::Serverless::Function", "Arn") => Engine.AwsArns.Function(_region, _account, physical),
            ("AWS::IoT::TopicRule", "Arn") => Engine.AwsArns.Rule(_region, _account, physical),
            ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{_account}:role/{physical}",
            ("AWS::SQS::Queue", "Arn") => $"arn:aws:sqs:{_region}:{_account}:{physical}",
            ("AWS::SQS::Queue", "QueueName") => physical,
            ("AWS::SQS::Queue", "QueueUrl") => $"https://sqs.{_region}.amazonaws.com/{_account}/{physical}",
            ("AWS::SNS::Topic", "TopicArn") => $"arn:aws:sns:{_region}:{_account}:{physical}",
            ("AWS::DynamoDB::Table", "Arn") => $"arn:aws:dynamodb:{_region}:{_account}:table/{physical}",
            ("AWS::S3::Bucket", "Arn") => $"arn:aws:s3:::{physical}",
            ("AWS::Kinesis::Stream", "Arn") => $"arn:aws:kinesis:{_region}:{_account}:stream/{physical}",
            (_, "Arn") => $"arn:aws:cloudformation:{_region}:{_account}:resource/{physical}",
            _ => throw new TemplateException($"Fn::GetAtt {logicalId}.{attribute} ({type}) is not supported by the emulator's template loader."),
        };
    }

    /// <summary>Fn::Sub: <c>${Name}</c>, <c>${Resource.Attr}</c>, <c>${AWS::Region}</c>; <c>${!Literal}</c> stays <c>${Literal}</c>. Unknown names are left as written (they are usually IoT substitution templates).</summary>
    private string Sub(string template, Dictionary<string, string> variables)
    {
        var sb = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            sb.Append(template, i, start - i);
            var end = template.IndexOf('}', start + 2);
            if (end < 0)
            {
                sb.Append(template, start, template.Length - start);
                break;
            }
            var name = template[(start + 2)..end];
            if (name.StartsWith('!'))
            {
                sb.Append("${").Append(name, 1, name.Length - 1).Append('}');
            }
            else if (variables.TryGetValue(name, out var value))
            {
                sb.Append(value);
            }
            else if (TrySubName(name, out var resolved))
            {
                sb.Append(resolved);
            }
            else
            {
                sb.Append(template, start, end - start + 1);
            }
            i = end + 1;
        }
        return sb.ToString();
    }

    private bool TrySubName(string name, out string value)
    {
        value = "";
        if (name.StartsWith("AWS::", StringComparison.Ordinal) || _parameters[name] is not null || _physicalNames.ContainsKey(name) || _resources[name] is not null)
        {
            value = Text(Ref(name)) ?? "";
            return true;
        }
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _resources[name[..dot]] is not null)
        {
            value = GetAtt(name[..dot], name[(dot + 1)..]);
            return true;
        }
        return false;
    }

    internal static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v => v.ToJsonString(),
        _ => node.ToJsonString(),
    };

}
