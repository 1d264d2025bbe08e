using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IoTRuleEmu.AwsApi.CloudFormation;

/// <summary>
/// Reads a CloudFormation or SAM template, JSON or YAML, into a JSON tree. YAML short-form intrinsics (<c>!Ref</c>,
/// <c>!Sub</c>, <c>!GetAtt a.b</c>, <c>!Join</c>, …) become their long form (<c>{"Ref":…}</c>, <c>{"Fn::Sub":…}</c>).
/// </summary>
public static partial class TemplateReader
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="TemplateException"/> naming <paramref name="source"/> and the position.</summary>
    public static JsonObject Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        JsonNode? root;
        if (trimmed.StartsWith('{'))
        {
            try
            {
                root = JsonNode.Parse(trimmed, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw new TemplateException($"{source}({ex.LineNumber + 1},{ex.BytePositionInLine + 1}): invalid JSON: {Protocol.AwsRequest.StripPosition(ex.Message)}");
            }
        }
        else
        {
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(trimmed));
                if (stream.Documents.Count == 0)
                {
                    throw new TemplateException($"{source}: the template is empty.");
                }
                root = Convert(stream.Documents[0].RootNode);
            }
            catch (YamlException ex)
            {
                throw new TemplateException($"{source}({ex.Start.Line},{ex.Start.Column}): invalid YAML: {ex.Message}");
            }
        }
        return root as JsonObject ?? throw new TemplateException($"{source}: a template must be an object with a Resources section.");
    }

    private static JsonNode? Convert(YamlNode node)
    {
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        JsonNode? value = node switch
        {
            YamlMappingNode map => ConvertMap(map),
            YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
            YamlScalarNode scalar => ConvertScalar(scalar, tag),
            _ => null,
        };
        if (tag is null || !tag.StartsWith('!') || tag.StartsWith("!!", StringComparison.Ordinal) || tag.StartsWith("tag:", StringComparison.Ordinal) || tag == "!")
        {
            return value;
        }
        var name = tag[1..];
        if (name == "GetAtt" && value is JsonValue getAtt && getAtt.TryGetValue<string>(out var dotted))
        {
            var dot = dotted.IndexOf('.', StringComparison.Ordinal);
            value = dot < 0 ? new JsonArray(dotted) : new JsonArray(dotted[..dot], dotted[(dot + 1)..]);
        }
        return name switch
        {
            "Ref" => new JsonObject { ["Ref"] = value },
            "Condition" => new JsonObject { ["Condition"] = value },
            _ => new JsonObject { ["Fn::" + name] = value },
        };
    }

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, child) in map.Children)
        {
            var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
            result[name] = Convert(child);
        }
        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar, string? tag)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded
            || tag is "!!str" or "tag:yaml.org,2002:str" || (tag is not null && tag.StartsWith('!') && !tag.StartsWith("!!", StringComparison.Ordinal)))
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

/// <summary>A template, or one of its resources, cannot be used. The message names the file and the resource.</summary>
public sealed class TemplateException(string message) : Exception(message);
