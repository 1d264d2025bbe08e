using System.Text.Json;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>
/// Reads the functions file: <c>{"functions":[{"name","behavior":"succeed|fail","errorMessage"}]}</c>.
/// Unknown fields are ignored (later issues add ways to run a function). Errors name the file and the field.
/// </summary>
public static class FunctionsFileParser
{
    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, string source, out IReadOnlyList<FunctionDefinition> functions, out IReadOnlyList<string> errors)
    {
        var list = new List<FunctionDefinition>();
        var problems = new List<string>();
        functions = list;
        errors = problems;
        var span = utf8Json.Span;
        if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
        {
            utf8Json = utf8Json[3..];
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException ex)
        {
            problems.Add($"{source}({ex.LineNumber + 1},{ex.BytePositionInLine + 1}): invalid JSON: {ex.Message}");
            return false;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("functions", out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                problems.Add($"{source}: expected an object with a \"functions\" array.");
                return false;
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var path = $"functions[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{source} [{path}]: expected an object.");
                    continue;
                }
                string? name = null;
                if (item.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String)
                {
                    name = nameElement.GetString();
                }
                if (!FunctionNames.IsValidName(name))
                {
                    problems.Add($"{source} [{path}.name]: a function name of 1-64 characters [a-zA-Z0-9-_] is required.");
                    continue;
                }
                if (!names.Add(name!))
                {
                    problems.Add($"{source} [{path}.name]: function '{name}' is defined twice.");
                    continue;
                }
                var behavior = FunctionBehavior.Succeed;
                if (item.TryGetProperty("behavior", out var behaviorElement) && behaviorElement.ValueKind != JsonValueKind.Null)
                {
                    switch (behaviorElement.ValueKind == JsonValueKind.String ? behaviorElement.GetString() : null)
                    {
                        case "succeed":
                            behavior = FunctionBehavior.Succeed;
                            break;
                        case "fail":
                            behavior = FunctionBehavior.Fail;
                            break;
                        default:
                            problems.Add($"{source} [{path}.behavior]: expected \"succeed\" or \"fail\".");
                            continue;
                    }
                }
                string? errorMessage = null;
                if (item.TryGetProperty("errorMessage", out var messageElement) && messageElement.ValueKind != JsonValueKind.Null)
                {
                    if (messageElement.ValueKind != JsonValueKind.String)
                    {
                        problems.Add($"{source} [{path}.errorMessage]: expected a string.");
                        continue;
                    }
                    errorMessage = messageElement.GetString();
                }
                list.Add(new FunctionDefinition { Name = name!, Behavior = behavior, ErrorMessage = errorMessage });
            }
        }
        return problems.Count == 0;
    }
}
