using System.Globalization;
using System.Text.Json;
using IoTRuleEmu.Lambda.Configuration;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>A parsed functions file: the functions and the service endpoints destinations are delivered to.</summary>
public sealed record FunctionsFileModel(IReadOnlyList<FunctionDefinition> Functions, ServiceEndpoints Endpoints);

/// <summary>
/// <c>"endpoints": {"sqs": URL, "sns": URL}</c>: where SQS and SNS destinations and dead-letter queues are delivered
/// (LocalStack, ElasticMQ, moto_server, or AWS). A destination whose service has no endpoint goes to
/// <c>&lt;data&gt;/destinations.jsonl</c>.
/// </summary>
public sealed record ServiceEndpoints(string? Sqs = null, string? Sns = null)
{
    public static ServiceEndpoints None { get; } = new();
}

/// <summary>
/// Reads the functions file (CONTRACT.md "Functions file", extended in docs/contract.md). Unknown
/// fields are ignored. Every problem is reported, each naming the file and the field; out-of-range EventInvokeConfig
/// values are reported with AWS's message.
/// </summary>
public static class FunctionsFileParser
{
    private static readonly string[] s_runSpecs = ["http", "command", "invokeEndpoint", "runtimeApi", "remote"];

    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, string source, out IReadOnlyList<FunctionDefinition> functions, out IReadOnlyList<string> errors)
    {
        var ok = TryParseFile(utf8Json, source, out var model, out errors);
        functions = model.Functions;
        return ok;
    }

    public static bool TryParseFile(ReadOnlyMemory<byte> utf8Json, string source, out FunctionsFileModel model, out IReadOnlyList<string> errors)
    {
        var list = new List<FunctionDefinition>();
        var problems = new List<string>();
        model = new FunctionsFileModel(list, ServiceEndpoints.None);
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
            var endpoints = ServiceEndpoints.None;
            if (doc.RootElement.TryGetProperty("endpoints", out var endpointsElement) && endpointsElement.ValueKind != JsonValueKind.Null)
            {
                var reader = new FieldReader(source, "endpoints", problems);
                if (endpointsElement.ValueKind != JsonValueKind.Object)
                {
                    reader.Error("", "expected an object {\"sqs\": URL, \"sns\": URL}.");
                }
                else
                {
                    endpoints = new ServiceEndpoints(reader.Url(endpointsElement, "sqs"), reader.Url(endpointsElement, "sns"));
                }
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                {
                    names.Add(n.GetString()!);
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
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
                if (!seen.Add(name!))
                {
                    problems.Add($"{source} [{path}.name]: function '{name}' is defined twice.");
                    continue;
                }
                var before = problems.Count;
                var definition = ParseFunction(new FieldReader(source, path, problems), item, name!, names);
                if (problems.Count == before && definition is not null)
                {
                    list.Add(definition);
                }
            }
            model = new FunctionsFileModel(list, endpoints);
        }
        return problems.Count == 0;
    }

    private static FunctionDefinition? ParseFunction(FieldReader r, JsonElement item, string name, HashSet<string> fileFunctions)
    {
        var behavior = FunctionBehavior.Succeed;
        var behaviorText = r.String(item, "behavior");
        var failTimes = r.Int(item, "failTimes", 0, int.MaxValue);
        var sleepSeconds = r.Number(item, "sleepSeconds", 0, 86400);
        switch (behaviorText)
        {
            case null:
                behavior = failTimes is not null ? FunctionBehavior.FailTimes : sleepSeconds is not null ? FunctionBehavior.Sleep : FunctionBehavior.Succeed;
                break;
            case "succeed":
                behavior = FunctionBehavior.Succeed;
                break;
            case "fail":
                behavior = FunctionBehavior.Fail;
                break;
            case "failTimes":
                behavior = FunctionBehavior.FailTimes;
                if (failTimes is null)
                {
                    r.Error("failTimes", "behavior \"failTimes\" needs \"failTimes\": N (how many attempts fail before one succeeds).");
                }
                break;
            case "sleep":
                behavior = FunctionBehavior.Sleep;
                if (sleepSeconds is null)
                {
                    r.Error("sleepSeconds", "behavior \"sleep\" needs \"sleepSeconds\": N.");
                }
                break;
            default:
                r.Error("behavior", "expected \"succeed\", \"fail\", \"failTimes\" or \"sleep\".");
                break;
        }
        string? response = null;
        if (item.TryGetProperty("response", out var responseElement))
        {
            response = responseElement.GetRawText();
        }

        var specs = s_runSpecs.Where(s => item.TryGetProperty(s, out var v) && v.ValueKind != JsonValueKind.Null).ToList();
        if (specs.Count > 1)
        {
            r.Error(specs[1], $"a function runs one way only; it has {string.Join(" and ", specs)}.");
        }
        if (specs.Count > 0 && behaviorText is not null)
        {
            r.Error("behavior", $"\"behavior\" is for built-in functions; this one runs with \"{specs[0]}\".");
        }

        var settings = new EventInvokeSettings(
            r.RawInt(item, "maximumRetryAttempts"),
            r.RawInt(item, "maximumEventAgeInSeconds"),
            r.String(item, "onSuccess"),
            r.String(item, "onFailure"));
        var arn = $"arn:aws:lambda:*:*:function:{name}";
        foreach (var error in EventInvokeConfigValidator.Validate(settings, arn, fileFunctions.Contains))
        {
            r.Error(error.Field, error.Message);
        }
        foreach (var (dest, field) in new[] { (settings.OnSuccessDestination, "onSuccess"), (settings.OnFailureDestination, "onFailure") })
        {
            if (dest is not null && EventInvokeConfigValidator.ArnService(dest) == "lambda" && EventInvokeConfigValidator.FunctionNameOf(dest) == name)
            {
                r.Error(field, "You can't specify the function as a destination for itself.");
            }
        }
        var dlq = r.String(item, "deadLetterTargetArn");
        if (dlq is not null && EventInvokeConfigValidator.ValidateDeadLetterTarget(dlq) is { } dlqError)
        {
            r.Error("deadLetterTargetArn", dlqError.Message);
        }

        return new FunctionDefinition
        {
            Name = name,
            Behavior = behavior,
            ErrorMessage = r.String(item, "errorMessage"),
            ErrorType = r.String(item, "errorType"),
            Response = response,
            FailTimes = failTimes ?? 0,
            SleepSeconds = sleepSeconds ?? 0,
            AllowIoT = r.Bool(item, "allowIoT") ?? true,
            TimeoutSeconds = r.Int(item, "timeout", 1, 900, "timeout") ?? FunctionDefinition.DefaultTimeoutSeconds,
            MemorySize = r.Int(item, "memorySize", 128, 10240, "memorySize") ?? 128,
            ReservedConcurrency = r.Int(item, "reservedConcurrency", 0, 100000, "reservedConcurrentExecutions"),
            Environment = r.StringMap(item, "environment"),
            Http = ParseHttp(r, item),
            Command = ParseCommand(r, item),
            InvokeEndpoint = ParseInvokeEndpoint(r, item),
            RuntimeApi = ParseRuntimeApi(r, item),
            Remote = ParseRemote(r, item),
            EventInvokeConfig = settings.IsEmpty ? null : settings,
            DeadLetterTargetArn = dlq,
        };
    }

    private static HttpFunctionSpec? ParseHttp(FieldReader r, JsonElement item)
    {
        if (!item.TryGetProperty("http", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.String)
        {
            return r.CheckUrl("http", e.GetString()!) is { } u ? new HttpFunctionSpec(u) : null;
        }
        var sub = r.Sub("http");
        if (e.ValueKind != JsonValueKind.Object || sub.Url(e, "url") is not { } url)
        {
            r.Error("http.url", "expected \"http\": {\"url\": \"http://…\"} (or a URL string).");
            return null;
        }
        return new HttpFunctionSpec(url, sub.StringMap(e, "headers"));
    }

    private static CommandFunctionSpec? ParseCommand(FieldReader r, JsonElement item)
    {
        if (!item.TryGetProperty("command", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } p)
        {
            return new CommandFunctionSpec(p, []);
        }
        var sub = r.Sub("command");
        if (e.ValueKind != JsonValueKind.Object || sub.String(e, "path") is not { Length: > 0 } path)
        {
            r.Error("command.path", "expected \"command\": {\"path\": \"…\", \"args\": [...]} (or a path string).");
            return null;
        }
        return new CommandFunctionSpec(path, sub.StringList(e, "args"), sub.String(e, "workingDirectory"));
    }

    private static InvokeEndpointSpec? ParseInvokeEndpoint(FieldReader r, JsonElement item)
    {
        if (!item.TryGetProperty("invokeEndpoint", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.String)
        {
            return r.CheckUrl("invokeEndpoint", e.GetString()!) is { } u ? new InvokeEndpointSpec(u) : null;
        }
        var sub = r.Sub("invokeEndpoint");
        if (e.ValueKind != JsonValueKind.Object || sub.Url(e, "url") is not { } url)
        {
            r.Error("invokeEndpoint.url", "expected \"invokeEndpoint\": {\"url\": \"http://127.0.0.1:3001\", \"functionName\": \"…\"} (or a URL string).");
            return null;
        }
        return new InvokeEndpointSpec(url, sub.String(e, "functionName"));
    }

    private static RuntimeApiSpec? ParseRuntimeApi(FieldReader r, JsonElement item)
    {
        if (!item.TryGetProperty("runtimeApi", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var sub = r.Sub("runtimeApi");
        if (e.ValueKind != JsonValueKind.Object || sub.String(e, "bootstrap") is not { Length: > 0 } bootstrap)
        {
            r.Error("runtimeApi.bootstrap", "expected \"runtimeApi\": {\"bootstrap\": \"path of the bootstrap executable\", \"args\": [...], \"handler\": \"…\"}.");
            return null;
        }
        return new RuntimeApiSpec(bootstrap, sub.StringList(e, "args"), sub.String(e, "workingDirectory"), sub.String(e, "handler"));
    }

    private static RemoteFunctionSpec? ParseRemote(FieldReader r, JsonElement item)
    {
        if (!item.TryGetProperty("remote", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var sub = r.Sub("remote");
        if (e.ValueKind != JsonValueKind.Object || sub.Url(e, "endpoint") is not { } endpoint)
        {
            r.Error("remote.endpoint", "expected \"remote\": {\"endpoint\": \"https://lambda.us-east-1.amazonaws.com\", \"region\": \"us-east-1\"}.");
            return null;
        }
        var region = sub.String(e, "region");
        if (region is null)
        {
            r.Error("remote.region", "a remote function needs \"region\" (used to sign the call).");
            return null;
        }
        return new RemoteFunctionSpec(endpoint, region, sub.String(e, "functionName"));
    }

    /// <summary>Reads typed fields and records problems as <c>file [path.field]: message</c>.</summary>
    private readonly struct FieldReader(string source, string path, List<string> problems)
    {
        public FieldReader Sub(string field) => new(source, path + "." + field, problems);

        public void Error(string field, string message) =>
            problems.Add($"{source} [{(field.Length == 0 ? path : path + "." + field)}]: {message}");

        public string? String(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.String)
            {
                Error(field, "expected a string.");
                return null;
            }
            return v.GetString();
        }

        public bool? Bool(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Error(field, "expected true or false.");
                return null;
            }
            return v.GetBoolean();
        }

        /// <summary>An integer without a range check (EventInvokeConfig values are checked with AWS's messages).</summary>
        public int? RawInt(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
            {
                Error(field, "expected an integer.");
                return null;
            }
            return i;
        }

        public int? Int(JsonElement e, string field, int min, int max, string? awsField = null)
        {
            if (RawInt(e, field) is not int i)
            {
                return null;
            }
            if (i < min || i > max)
            {
                Error(field, awsField is null
                    ? string.Create(CultureInfo.InvariantCulture, $"expected an integer from {min} to {max}.")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"1 validation error detected: Value '{i}' at '{awsField}' failed to satisfy constraint: Member must have value {(i < min ? $"greater than or equal to {min}" : $"less than or equal to {max}")}"));
                return null;
            }
            return i;
        }

        public double? Number(JsonElement e, string field, double min, double max)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Number || v.GetDouble() is var d && (d < min || d > max))
            {
                Error(field, string.Create(CultureInfo.InvariantCulture, $"expected a number from {min} to {max}."));
                return null;
            }
            return d;
        }

        public string? Url(JsonElement e, string field) => String(e, field) is { } text ? CheckUrl(field, text) : null;

        public string? CheckUrl(string field, string text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                Error(field, $"expected an http:// or https:// URL, got '{text}'.");
                return null;
            }
            return text;
        }

        public IReadOnlyList<string> StringList(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return [];
            }
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            {
                Error(field, "expected an array of strings.");
                return [];
            }
            return [.. v.EnumerateArray().Select(x => x.GetString()!)];
        }

        public IReadOnlyDictionary<string, string>? StringMap(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            {
                Error(field, "expected an object of string values.");
                return null;
            }
            return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
    }
}
