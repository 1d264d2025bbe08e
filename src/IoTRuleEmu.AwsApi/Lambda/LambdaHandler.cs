using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.Lambda;

/// <summary>
/// AWS Lambda operations on the emulated functions (lambda-async.md §2): Invoke (RequestResponse, Event, DryRun),
/// InvokeAsync, GetFunction, ListFunctions, AddPermission, RemovePermission, GetPolicy and the five EventInvokeConfig
/// operations.
/// </summary>
public sealed class LambdaHandler(
    IFunctionRegistry functions,
    ILambdaService lambda,
    FunctionPolicyStore state,
    IEventInvokeConfigStore configs,
    FunctionCatalog catalog,
    IOptions<AwsApiOptions> options) : IAwsServiceHandler
{
    private const string Latest = "$LATEST";
    private readonly AwsApiOptions _options = options.Value;

    public AwsServiceKind Service => AwsServiceKind.Lambda;

    public async ValueTask<bool> HandleAsync(AwsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var s = request.Segments;
        if (s.Count < 2 || s[1] != "functions")
        {
            return false;
        }
        var m = request.Method;
        switch (s[0])
        {
            case "2015-03-31":
                if (s.Count == 2 && m == "GET")
                {
                    await ListFunctionsAsync(request).ConfigureAwait(false);
                    return true;
                }
                if (s.Count == 3 && m == "GET")
                {
                    await GetFunctionAsync(request, s[2]).ConfigureAwait(false);
                    return true;
                }
                if (s.Count == 4 && s[3] == "invocations" && m == "POST")
                {
                    await InvokeAsync(request, s[2]).ConfigureAwait(false);
                    return true;
                }
                if (s.Count == 4 && s[3] == "policy" && m == "POST")
                {
                    await AddPermissionAsync(request, s[2]).ConfigureAwait(false);
                    return true;
                }
                if (s.Count == 4 && s[3] == "policy" && m == "GET")
                {
                    await GetPolicyAsync(request, s[2]).ConfigureAwait(false);
                    return true;
                }
                if (s.Count == 5 && s[3] == "policy" && m == "DELETE")
                {
                    await RemovePermissionAsync(request, s[2], s[4]).ConfigureAwait(false);
                    return true;
                }
                return false;
            case "2014-11-13" when s.Count == 4 && s[3] == "invoke-async" && m == "POST":
                await InvokeAsyncDeprecatedAsync(request, s[2]).ConfigureAwait(false);
                return true;
            case "2019-09-25" when s.Count >= 4 && s[3] == "event-invoke-config":
                if (s.Count == 5 && s[4] == "list" && m == "GET")
                {
                    await ListEventInvokeConfigsAsync(request, s[2]).ConfigureAwait(false);
                    return true;
                }
                if (s.Count != 4)
                {
                    return false;
                }
                switch (m)
                {
                    case "PUT":
                        await PutEventInvokeConfigAsync(request, s[2], replace: true).ConfigureAwait(false);
                        return true;
                    case "POST":
                        await PutEventInvokeConfigAsync(request, s[2], replace: false).ConfigureAwait(false);
                        return true;
                    case "GET":
                        await GetEventInvokeConfigAsync(request, s[2]).ConfigureAwait(false);
                        return true;
                    case "DELETE":
                        await DeleteEventInvokeConfigAsync(request, s[2]).ConfigureAwait(false);
                        return true;
                    default:
                        return false;
                }
            default:
                return false;
        }
    }

    // ---- Invoke ----

    private async Task InvokeAsync(AwsRequest request, string functionName)
    {
        var typeText = request.Header("X-Amz-Invocation-Type") ?? "RequestResponse";
        var type = typeText switch
        {
            "RequestResponse" => InvocationType.RequestResponse,
            "Event" => InvocationType.Event,
            "DryRun" => InvocationType.DryRun,
            _ => throw LambdaErrors.Validation($"1 validation error detected: Value '{typeText}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"),
        };
        var logType = request.Header("X-Amz-Log-Type") ?? "None";
        if (logType is not ("None" or "Tail"))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]");
        }

        // Name resolution, permissions, payload checks, runners, the async queue and CloudTrail belong to the Lambda library.
        var result = await lambda.InvokeAsync(new InvokeRequest
        {
            FunctionName = functionName,
            InvocationType = type,
            Payload = request.Body,
            Qualifier = request.QueryValue("Qualifier"),
            LogType = logType,
            RequestId = request.RequestId,
            Caller = Caller(request),
        }, request.Aborted).ConfigureAwait(false);
        ThrowIfFailed(result);

        var headers = request.Context.Response.Headers;
        headers["x-amzn-RequestId"] = result.RequestId;
        if (result.StatusCode != 200)
        {
            await AwsResponses.WriteEmptyAsync(request, result.StatusCode).ConfigureAwait(false);
            return;
        }
        headers["X-Amz-Executed-Version"] = result.ExecutedVersion ?? Latest;
        if (result.FunctionError is not null)
        {
            headers["X-Amz-Function-Error"] = result.FunctionError;
        }
        if (result.LogResult is not null)
        {
            headers["X-Amz-Log-Result"] = result.LogResult;
        }
        await AwsResponses.WriteBytesAsync(request, 200, result.Payload, "application/json").ConfigureAwait(false);
    }

    /// <summary>The API caller as the Lambda library records it (no IAM-user kind yet: see docs/open-work.md).</summary>
    private static InvokeCaller Caller(AwsRequest request) => new(request.RemoteIp, null, null, null);

    private static void ThrowIfFailed(InvokeResult result)
    {
        if (result.Succeeded)
        {
            return;
        }
        var code = result.ErrorCode ?? "ServiceException";
        var error = LambdaErrors.Create(code, result.StatusCode, result.ErrorMessage ?? "Invoke failed.");
        if (result.Reason is not null)
        {
            error = new AwsApiException(code, result.StatusCode, error.Message, error.MessageKey,
                new Dictionary<string, string> { ["Reason"] = result.Reason },
                new Dictionary<string, string> { ["Retry-After"] = "1" });
        }
        throw error;
    }

    private async Task InvokeAsyncDeprecatedAsync(AwsRequest request, string functionName)
    {
        var result = await lambda.InvokeAsync(new InvokeRequest
        {
            FunctionName = functionName,
            InvocationType = InvocationType.Event,
            Payload = request.Body,
            RequestId = request.RequestId,
            Caller = Caller(request),
        }, request.Aborted).ConfigureAwait(false);
        ThrowIfFailed(result);
        await AwsResponses.WriteJsonAsync(request, 202, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("Status", 202);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    // ---- GetFunction / ListFunctions ----

    private Task GetFunctionAsync(AwsRequest request, string functionName)
    {
        var function = Resolve(functionName, request.QueryValue("Qualifier"));
        return AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("Configuration");
            WriteConfiguration(w, function);
            w.WriteStartObject("Code");
            w.WriteString("RepositoryType", "S3");
            w.WriteString("Location", $"file://{function.Name}");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private Task ListFunctionsAsync(AwsRequest request)
    {
        var max = 50;
        if (request.QueryValue("MaxItems") is { } maxText
            && (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max is < 1 or > 10_000))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{maxText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000");
        }
        var marker = request.QueryValue("Marker");
        var all = functions.Functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal)
            .Where(f => string.IsNullOrEmpty(marker) || string.CompareOrdinal(f.Name, marker) > 0)
            .ToList();
        var page = all.Take(max).ToList();
        return AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("Functions");
            foreach (var f in page)
            {
                WriteConfiguration(w, f);
            }
            w.WriteEndArray();
            if (all.Count > page.Count)
            {
                w.WriteString("NextMarker", page[^1].Name);
            }
            w.WriteEndObject();
        });
    }

    private void WriteConfiguration(Utf8JsonWriter w, LambdaFunction function)
    {
        var meta = catalog.Get(function.Name);
        w.WriteStartObject();
        w.WriteString("FunctionName", function.Name);
        w.WriteString("FunctionArn", function.Arn);
        if (meta.Runtime is not null)
        {
            w.WriteString("Runtime", meta.Runtime);
        }
        w.WriteString("Role", meta.Role ?? $"arn:aws:iam::{_options.AccountId}:role/iotruleemu-{function.Name}");
        w.WriteString("Handler", meta.Handler ?? "index.handler");
        w.WriteNumber("CodeSize", 0);
        w.WriteString("Description", meta.Description ?? $"Emulated function ({function.Definition.Describe()})");
        w.WriteNumber("Timeout", function.Definition.TimeoutSeconds);
        w.WriteNumber("MemorySize", function.Definition.MemorySize);
        w.WriteString("LastModified", AwsResponses.LambdaTimestamp(DateTimeOffset.UnixEpoch));
        w.WriteString("CodeSha256", "");
        w.WriteString("Version", Latest);
        w.WriteStartObject("TracingConfig");
        w.WriteString("Mode", "PassThrough");
        w.WriteEndObject();
        w.WriteString("RevisionId", state.RevisionId(function.Name) ?? "00000000-0000-0000-0000-000000000000");
        w.WriteString("State", "Active");
        w.WriteString("LastUpdateStatus", "Successful");
        w.WriteString("PackageType", "Zip");
        w.WriteStartArray("Architectures");
        w.WriteStringValue("x86_64");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- permissions ----

    private async Task AddPermissionAsync(AwsRequest request, string functionName)
    {
        var function = Resolve(functionName, request.QueryValue("Qualifier"));
        var body = request.JsonBody(LambdaErrors.BadJson);
        var sid = String(body, "StatementId");
        var action = String(body, "Action");
        var principal = String(body, "Principal");
        if (sid is null || action is null || principal is null)
        {
            throw LambdaErrors.Validation("StatementId, Action and Principal are required.");
        }
        if (sid.Length is 0 or > 100 || !sid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
        }
        if (!(action == "*" || (action.StartsWith("lambda:", StringComparison.Ordinal) && action.Length > 7 && action[7..].All(c => char.IsAsciiLetter(c) || c == '*'))))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])");
        }
        if (String(body, "RevisionId") is { } revision && revision != state.RevisionId(function.Name))
        {
            throw LambdaErrors.Create("PreconditionFailedException", 412,
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
        var statement = new PolicyStatement(sid, action, principal, String(body, "SourceArn"), String(body, "SourceAccount"),
            String(body, "EventSourceToken"), String(body, "PrincipalOrgID"), String(body, "FunctionUrlAuthType"));
        if (!state.AddStatement(function.Name, statement))
        {
            throw LambdaErrors.Create("ResourceConflictException", 409,
                "The statement id (" + sid + ") provided already exists. Please provide a new statement id, or remove the existing statement.");
        }
        await AwsResponses.WriteJsonAsync(request, 201, w =>
        {
            w.WriteStartObject();
            w.WriteString("Statement", StatementJson(statement, function.Arn));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task RemovePermissionAsync(AwsRequest request, string functionName, string sid)
    {
        var function = Resolve(functionName, request.QueryValue("Qualifier"));
        if (request.QueryValue("RevisionId") is { } revision && revision != state.RevisionId(function.Name))
        {
            throw LambdaErrors.Create("PreconditionFailedException", 412,
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
        if (!state.RemoveStatement(function.Name, sid))
        {
            throw LambdaErrors.Create("ResourceNotFoundException", 404, $"Statement {sid} is not found in resource policy.");
        }
        await AwsResponses.WriteEmptyAsync(request, 204).ConfigureAwait(false);
    }

    private Task GetPolicyAsync(AwsRequest request, string functionName)
    {
        var function = Resolve(functionName, request.QueryValue("Qualifier"));
        var statements = state.Statements(function.Name);
        if (statements.Count == 0)
        {
            throw LambdaErrors.Create("ResourceNotFoundException", 404, "The resource you requested does not exist.");
        }
        var policy = "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[" +
            string.Join(',', statements.Select(s => StatementJson(s, function.Arn))) + "]}";
        return AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("Policy", policy);
            w.WriteString("RevisionId", state.RevisionId(function.Name));
            w.WriteEndObject();
        });
    }

    /// <summary>The statement as AWS returns it (a JSON string): Sid, Effect, Principal, Action, Resource, Condition.</summary>
    internal static string StatementJson(PolicyStatement s, string functionArn)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, AwsResponses.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("Sid", s.Sid);
            w.WriteString("Effect", "Allow");
            if (s.Principal == "*")
            {
                w.WriteString("Principal", "*");
            }
            else
            {
                w.WriteStartObject("Principal");
                if (AwsArns.IsAccountId(s.Principal))
                {
                    w.WriteString("AWS", $"arn:aws:iam::{s.Principal}:root");
                }
                else if (s.Principal.StartsWith("arn:", StringComparison.Ordinal))
                {
                    w.WriteString("AWS", s.Principal);
                }
                else
                {
                    w.WriteString("Service", s.Principal);
                }
                w.WriteEndObject();
            }
            w.WriteString("Action", s.Action);
            w.WriteString("Resource", functionArn);
            if (s.SourceArn is not null || s.SourceAccount is not null || s.EventSourceToken is not null || s.PrincipalOrgId is not null || s.FunctionUrlAuthType is not null)
            {
                w.WriteStartObject("Condition");
                if (s.SourceAccount is not null || s.EventSourceToken is not null || s.PrincipalOrgId is not null || s.FunctionUrlAuthType is not null)
                {
                    w.WriteStartObject("StringEquals");
                    if (s.SourceAccount is not null)
                    {
                        w.WriteString("AWS:SourceAccount", s.SourceAccount);
                    }
                    if (s.EventSourceToken is not null)
                    {
                        w.WriteString("lambda:EventSourceToken", s.EventSourceToken);
                    }
                    if (s.PrincipalOrgId is not null)
                    {
                        w.WriteString("aws:PrincipalOrgID", s.PrincipalOrgId);
                    }
                    if (s.FunctionUrlAuthType is not null)
                    {
                        w.WriteString("lambda:FunctionUrlAuthType", s.FunctionUrlAuthType);
                    }
                    w.WriteEndObject();
                }
                if (s.SourceArn is not null)
                {
                    w.WriteStartObject("ArnLike");
                    w.WriteString("AWS:SourceArn", s.SourceArn);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // ---- EventInvokeConfig ----

    private async Task PutEventInvokeConfigAsync(AwsRequest request, string functionName, bool replace)
    {
        var qualifier = request.QueryValue("Qualifier");
        var function = ResolveForConfig(functionName, qualifier);
        var body = request.JsonBody(LambdaErrors.BadJson);
        var given = new EventInvokeSettings(Int(body, "MaximumRetryAttempts"), Int(body, "MaximumEventAgeInSeconds"));
        JsonElement destination = default;
        var hasDestination = body.TryGetProperty("DestinationConfig", out destination) && destination.ValueKind == JsonValueKind.Object;
        if (hasDestination)
        {
            given = given with
            {
                OnSuccessDestination = DestinationArn(destination, "OnSuccess"),
                OnFailureDestination = DestinationArn(destination, "OnFailure"),
            };
        }
        Validate(given, function);

        FunctionEventInvokeConfig config;
        if (replace)
        {
            if (given.IsEmpty && !hasDestination)
            {
                throw LambdaErrors.InvalidParameter("You must specify at least one of error handling or destination setting.");
            }
            config = configs.Put(function.Name, qualifier, given);
        }
        else
        {
            config = configs.Update(function.Name, qualifier, existing =>
                {
                    var merged = new EventInvokeSettings(
                        body.TryGetProperty("MaximumRetryAttempts", out _) ? given.MaximumRetryAttempts : existing.MaximumRetryAttempts,
                        body.TryGetProperty("MaximumEventAgeInSeconds", out _) ? given.MaximumEventAgeInSeconds : existing.MaximumEventAgeInSeconds,
                        hasDestination && destination.TryGetProperty("OnSuccess", out _) ? given.OnSuccessDestination : existing.OnSuccessDestination,
                        hasDestination && destination.TryGetProperty("OnFailure", out _) ? given.OnFailureDestination : existing.OnFailureDestination);
                    Validate(merged, function);
                    return merged;
                })
                ?? throw NoConfig(function, qualifier);
        }
        await AwsResponses.WriteJsonAsync(request, 200, w => WriteEventInvokeConfig(w, function, config)).ConfigureAwait(false);
    }

    private Task GetEventInvokeConfigAsync(AwsRequest request, string functionName)
    {
        var qualifier = request.QueryValue("Qualifier");
        var function = Resolve(functionName, qualifier);
        var config = configs.Get(function.Name, qualifier) ?? throw NoConfig(function, qualifier);
        return AwsResponses.WriteJsonAsync(request, 200, w => WriteEventInvokeConfig(w, function, config));
    }

    private Task DeleteEventInvokeConfigAsync(AwsRequest request, string functionName)
    {
        var qualifier = request.QueryValue("Qualifier");
        var function = Resolve(functionName, qualifier);
        if (!configs.Delete(function.Name, qualifier))
        {
            throw NoConfig(function, qualifier);
        }
        return AwsResponses.WriteEmptyAsync(request, 204);
    }

    private Task ListEventInvokeConfigsAsync(AwsRequest request, string functionName)
    {
        var function = ResolveForConfig(functionName, null);
        var max = 50;
        if (request.QueryValue("MaxItems") is { } maxText
            && (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max is < 1 or > 50))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{maxText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50");
        }
        var marker = request.QueryValue("Marker");
        var all = configs.List(function.Name)
            .Where(c => string.IsNullOrEmpty(marker) || string.CompareOrdinal(c.Qualifier, marker) > 0)
            .ToList();
        var page = all.Take(max).ToList();
        return AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("FunctionEventInvokeConfigs");
            foreach (var config in page)
            {
                WriteEventInvokeConfig(w, function, config);
            }
            w.WriteEndArray();
            if (all.Count > page.Count)
            {
                w.WriteString("NextMarker", page[^1].Qualifier);
            }
            w.WriteEndObject();
        });
    }

    private static void WriteEventInvokeConfig(Utf8JsonWriter w, LambdaFunction function, FunctionEventInvokeConfig config)
    {
        var settings = config.Settings;
        w.WriteStartObject();
        w.WriteEpochSeconds("LastModified", config.LastModified);
        w.WriteString("FunctionArn", function.Arn + ":" + config.Qualifier);
        if (settings.MaximumRetryAttempts is int retries)
        {
            w.WriteNumber("MaximumRetryAttempts", retries);
        }
        if (settings.MaximumEventAgeInSeconds is int age)
        {
            w.WriteNumber("MaximumEventAgeInSeconds", age);
        }
        w.WriteStartObject("DestinationConfig");
        w.WriteStartObject("OnSuccess");
        if (settings.OnSuccessDestination is not null)
        {
            w.WriteString("Destination", settings.OnSuccessDestination);
        }
        w.WriteEndObject();
        w.WriteStartObject("OnFailure");
        if (settings.OnFailureDestination is not null)
        {
            w.WriteString("Destination", settings.OnFailureDestination);
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>AWS's checks (the Lambda library's validator, shared with the functions file); the first problem is the answer.</summary>
    private void Validate(EventInvokeSettings settings, LambdaFunction function)
    {
        var errors = EventInvokeConfigValidator.Validate(settings, function.Arn, name => functions.TryGet(name, out _));
        if (errors.Count > 0)
        {
            throw LambdaErrors.Create(errors[0].ErrorCode, 400, errors[0].Message);
        }
    }

    private static AwsApiException NoConfig(LambdaFunction function, string? qualifier) =>
        LambdaErrors.Create("ResourceNotFoundException", 404, $"The function {function.Arn}:{qualifier ?? Latest} doesn't have an EventInvokeConfig");

    private static string? DestinationArn(JsonElement destinationConfig, string member) =>
        destinationConfig.TryGetProperty(member, out var d) && d.ValueKind == JsonValueKind.Object
            && d.TryGetProperty("Destination", out var arn) && arn.ValueKind == JsonValueKind.String && arn.GetString() is { Length: > 0 } text
            ? text
            : null;

    // ---- name resolution ----

    /// <summary>Resolves <c>FunctionName</c> (name, partial or full ARN, optional qualifier) to an existing function, or throws AWS's error.</summary>
    private LambdaFunction Resolve(string functionName, string? qualifierQuery)
    {
        if (!FunctionNames.TryParse(functionName, out var name))
        {
            throw LambdaErrors.InvalidName(functionName);
        }
        if (qualifierQuery is not null && (qualifierQuery.Length is 0 or > 128 || !qualifierQuery.All(c => char.IsAsciiLetterOrDigit(c) || c is '$' or '_' or '-' or '.')))
        {
            throw LambdaErrors.Validation($"1 validation error detected: Value '{qualifierQuery}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)");
        }
        if (name.Qualifier is not null && qualifierQuery is not null && name.Qualifier != qualifierQuery)
        {
            throw LambdaErrors.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
        }
        var qualifier = name.Qualifier ?? qualifierQuery;
        var arn = Engine.AwsArns.Function(_options.Region, _options.AccountId, name.Name);
        if (name.Region is not null && name.Region != _options.Region)
        {
            throw LambdaErrors.Create("ResourceNotFoundException", 404, $"Functions from '{name.Region}' are not reachable in this region ('{_options.Region}')");
        }
        if (name.AccountId is not null && name.AccountId != _options.AccountId)
        {
            throw LambdaErrors.Create("AccessDeniedException", 403,
                $"User: arn:aws:iam::{_options.AccountId}:user/emulator is not authorized to perform: lambda:InvokeFunction on resource: {Engine.AwsArns.Function(name.Region ?? _options.Region, name.AccountId, name.Name)}");
        }
        if (!functions.TryGet(name.Name, out var function) || (qualifier is not null && qualifier != Latest))
        {
            throw LambdaErrors.FunctionNotFound($"{arn}:{qualifier ?? Latest}");
        }
        return function;
    }

    /// <summary>As <see cref="Resolve"/>, with the EventInvokeConfig APIs' wording for a missing function.</summary>
    private LambdaFunction ResolveForConfig(string functionName, string? qualifierQuery)
    {
        try
        {
            return Resolve(functionName, qualifierQuery);
        }
        catch (AwsApiException ex) when (ex.Code == "ResourceNotFoundException" && ex.Message.StartsWith("Function not found", StringComparison.Ordinal))
        {
            throw LambdaErrors.Create("ResourceNotFoundException", 404, "The function doesn't exist.");
        }
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
        {
            throw LambdaErrors.BadJson($"'{name}' must be an integer.");
        }
        return i;
    }
}
