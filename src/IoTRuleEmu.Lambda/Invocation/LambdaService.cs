using System.Text.Json;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Permissions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Invocation;

/// <inheritdoc cref="ILambdaService"/>
public sealed partial class LambdaService : ILambdaService
{
    private readonly IFunctionRegistry _functions;
    private readonly IAsyncInvocationQueue _queue;
    private readonly ICloudTrailLog _cloudTrail;
    private readonly IFunctionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _engineOptions;
    private readonly LambdaEmulatorOptions _options;
    private readonly ILogger _logger;

    public LambdaService(
        IFunctionRegistry functions,
        IAsyncInvocationQueue queue,
        ICloudTrailLog cloudTrail,
        IFunctionPolicy policy,
        TimeProvider timeProvider,
        IOptions<RuleEngineOptions> engineOptions,
        IOptions<LambdaEmulatorOptions> options,
        ILogger<LambdaService> logger)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(options);
        _functions = functions;
        _queue = queue;
        _cloudTrail = cloudTrail;
        _policy = policy;
        _time = timeProvider;
        _engineOptions = engineOptions.Value;
        _options = options.Value;
        _logger = logger;
    }

    public ValueTask<InvokeResult> InvokeAsync(InvokeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestId = Guid.NewGuid().ToString();
        var result = Invoke(request, requestId);
        if (!result.Succeeded)
        {
            // A failed Invoke call leaves no CloudTrail record (as in CloudTrail).
            LogRejected(_logger, request.FunctionName, result.StatusCode, result.ErrorCode, result.ErrorMessage, request.Caller.RuleName);
        }
        return ValueTask.FromResult(result);
    }

    private InvokeResult Invoke(InvokeRequest request, string requestId)
    {
        var region = _engineOptions.Region;
        var account = _engineOptions.AccountId;
        if (!FunctionNames.TryParse(request.FunctionName, out var name))
        {
            return InvokeResult.Error(400, requestId, "ValidationException",
                $"1 validation error detected: Value '{request.FunctionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
        }
        if (name.Qualifier is not null && request.Qualifier is not null && name.Qualifier != request.Qualifier)
        {
            return InvokeResult.Error(400, requestId, "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified qualifier.");
        }
        var qualifier = name.Qualifier ?? request.Qualifier;
        var arn = AwsArns.Function(region, account, name.Name);
        if (name.Region is not null && name.Region != region)
        {
            return InvokeResult.NotFound(requestId, $"Functions from '{name.Region}' are not reachable in this region ('{region}')");
        }
        if (name.AccountId is not null && name.AccountId != account)
        {
            var foreignArn = AwsArns.Function(name.Region ?? region, name.AccountId, name.Name);
            return InvokeResult.AccessDenied(requestId,
                $"User: {request.Caller.InvokedBy} is not authorized to perform: lambda:InvokeFunction on resource: {foreignArn} because no resource-based policy allows the lambda:InvokeFunction action");
        }
        // Only $LATEST exists: the emulator has no published versions or aliases yet.
        if (!_functions.TryGet(name.Name, out var function) || (qualifier is not null && qualifier != "$LATEST"))
        {
            return InvokeResult.NotFound(requestId, $"Function not found: {arn}:{qualifier ?? "$LATEST"}");
        }
        if (request.Caller.InvokedBy == CloudTrailRecord.IotService && !function.Definition.AllowIoT
            && !_policy.AllowsInvoke(function.Name, request.Caller.InvokedBy, request.Caller.SourceArn, request.Caller.SourceAccount))
        {
            // Missing `lambda add-permission --principal iot.amazonaws.com`: the most common real-world failure.
            return InvokeResult.AccessDenied(requestId,
                $"User: {request.Caller.InvokedBy} is not authorized to perform: lambda:InvokeFunction on resource: {function.Arn} because no resource-based policy allows the lambda:InvokeFunction action");
        }
        if (request.InvocationType != InvocationType.Event)
        {
            return InvokeResult.Error(400, requestId, "InvalidParameterValueException",
                $"InvocationType {request.InvocationType} is not emulated yet; only Event is.");
        }
        if (request.Payload.Length > _options.MaxEventPayloadBytes)
        {
            return InvokeResult.Error(413, requestId, "RequestEntityTooLargeException",
                $"{request.Payload.Length} byte payload is too large for the Event invocation type (limit {_options.MaxEventPayloadBytes} bytes)");
        }
        if (!request.Payload.IsEmpty && InvalidJson(request.Payload.Span) is { } jsonError)
        {
            return InvokeResult.Error(400, requestId, "InvalidRequestContentException",
                "Could not parse request body into json: Could not parse payload into json: " + jsonError);
        }

        var now = _time.GetUtcNow();
        _cloudTrail.Append(new CloudTrailRecord
        {
            UserIdentity = CloudTrailUserIdentity.Service(request.Caller.InvokedBy),
            EventTime = now,
            EventName = CloudTrailRecord.InvokeEventName,
            AwsRegion = region,
            SourceIpAddress = request.Caller.InvokedBy,
            UserAgent = request.Caller.InvokedBy,
            RequestParameters = new InvokeRequestParameters(request.FunctionName, "Event", request.Caller.SourceArn, request.Caller.SourceAccount),
            FunctionVersion = function.LatestVersionArn,
            RequestId = requestId,
            EventId = Guid.NewGuid().ToString(),
            Resources = [CloudTrailResource.Function(account, function.Arn)],
            RecipientAccountId = account,
        });
        LogAccepted(_logger, function.Name, requestId, request.Caller.RuleName);
        _queue.Enqueue(new AsyncInvocation(requestId, function.Name, function.Arn, request.Payload.ToArray(), now, request.Caller));
        return InvokeResult.Accepted(requestId, function.Arn);
    }

    private static string? InvalidJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(EventIds.InvokeAccepted, LogLevel.Information, "Lambda accepted Event invoke of {FunctionName}: requestId {RequestId} (rule {RuleName})")]
    private static partial void LogAccepted(ILogger logger, string functionName, string requestId, string? ruleName);

    [LoggerMessage(EventIds.InvokeRejected, LogLevel.Warning, "Lambda Invoke of {FunctionName} failed with {StatusCode} {ErrorCode}: {ErrorMessage} (rule {RuleName})")]
    private static partial void LogRejected(ILogger logger, string functionName, int statusCode, string? errorCode, string? errorMessage, string? ruleName);
}
