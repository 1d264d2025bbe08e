using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Lambda.Permissions;
using IoTRuleEmu.Lambda.Persistence;
using IoTRuleEmu.Lambda.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Invocation;

/// <inheritdoc cref="ILambdaService"/>
public sealed partial class LambdaService : ILambdaService
{
    /// <summary>Largest synchronous (RequestResponse/DryRun) payload: 6 MB.</summary>
    public const int MaxSyncPayloadBytes = 6 * 1024 * 1024;

    private readonly IFunctionRegistry _functions;
    private readonly IAsyncInvocationQueue _queue;
    private readonly ICloudTrailLog _cloudTrail;
    private readonly IFunctionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _engineOptions;
    private readonly LambdaEmulatorOptions _options;
    private readonly ILogger _logger;
    private readonly IAsyncInvocationStore? _store;
    private readonly FunctionExecutor? _executor;
    private readonly IInvocationLog? _invocations;
    private readonly RemoteLambdaClient? _remote;

    // Rules invoke the same few names over and over, and parsing one allocates an array and seven strings.
    private readonly ConcurrentDictionary<string, ParsedFunctionName> _parsedNames = new(StringComparer.Ordinal);
    private const int MaxParsedNames = 1024;

    public LambdaService(
        IFunctionRegistry functions,
        IAsyncInvocationQueue queue,
        ICloudTrailLog cloudTrail,
        IFunctionPolicy policy,
        TimeProvider timeProvider,
        IOptions<RuleEngineOptions> engineOptions,
        IOptions<LambdaEmulatorOptions> options,
        ILogger<LambdaService> logger,
        IAsyncInvocationStore store,
        FunctionExecutor executor,
        IInvocationLog invocations,
        RemoteLambdaClient remote)
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
        _store = store;
        _executor = executor;
        _invocations = invocations;
        _remote = remote;
    }

    public async ValueTask<InvokeResult> InvokeAsync(InvokeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestId = request.RequestId ?? RandomGuid.NewString();
        var result = await InvokeCoreAsync(request, requestId, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // A failed Invoke call leaves no CloudTrail record (as in CloudTrail).
            LogRejected(_logger, request.FunctionName, result.StatusCode, result.ErrorCode, result.ErrorMessage, request.Caller.RuleName);
        }
        return result;
    }

    private async ValueTask<InvokeResult> InvokeCoreAsync(InvokeRequest request, string requestId, CancellationToken cancellationToken)
    {
        var region = _engineOptions.Region;
        var account = _engineOptions.AccountId;
        if (!TryParseName(request.FunctionName, out var name))
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
        // Only $LATEST exists: the emulator has no published versions or aliases.
        if (!_functions.TryGet(name.Name, out var function) || (qualifier is not null && qualifier != "$LATEST"))
        {
            return InvokeResult.NotFound(requestId, $"Function not found: {AwsArns.Function(region, account, name.Name)}:{qualifier ?? "$LATEST"}");
        }
        if (request.Caller.InvokedBy == CloudTrailRecord.IotService && !function.Definition.AllowIoT
            && !_policy.AllowsInvoke(function.Name, request.Caller.InvokedBy, request.Caller.SourceArn, request.Caller.SourceAccount))
        {
            // Missing `lambda add-permission --principal iot.amazonaws.com`: the most common real-world failure.
            LogPermissionMissing(_logger, function.Name, request.Caller.RuleName ?? "-", request.Caller.SourceArn ?? "-",
                AddPermissionCommand(function.Name, request.Caller.RuleName, request.Caller.SourceArn, request.Caller.SourceAccount));
            return InvokeResult.AccessDenied(requestId,
                $"User: {request.Caller.InvokedBy} is not authorized to perform: lambda:InvokeFunction on resource: {function.Arn} because no resource-based policy allows the lambda:InvokeFunction action");
        }
        var limit = request.InvocationType == InvocationType.Event ? _options.MaxEventPayloadBytes : MaxSyncPayloadBytes;
        if (request.Payload.Length > limit)
        {
            return request.InvocationType == InvocationType.Event
                ? InvokeResult.Error(413, requestId, "RequestEntityTooLargeException",
                    $"{request.Payload.Length} byte payload is too large for the Event invocation type (limit {_options.MaxEventPayloadBytes} bytes)")
                : InvokeResult.Error(413, requestId, "RequestEntityTooLargeException",
                    $"Request must be smaller than {MaxSyncPayloadBytes} bytes for the InvokeFunction operation");
        }
        if (!request.Payload.IsEmpty && InvalidJson(request.Payload.Span) is { } jsonError)
        {
            return InvokeResult.Error(400, requestId, "InvalidRequestContentException",
                "Could not parse request body into json: Could not parse payload into json: " + jsonError);
        }
        if (function.Definition.Remote is { } remote)
        {
            return await InvokeRemoteAsync(function, remote, request, requestId, cancellationToken).ConfigureAwait(false);
        }
        switch (request.InvocationType)
        {
            case InvocationType.DryRun:
                return new InvokeResult(204, requestId, FunctionArn: function.Arn);
            case InvocationType.RequestResponse:
                return await InvokeSyncAsync(function, request, requestId, cancellationToken).ConfigureAwait(false);
        }

        var now = _time.GetUtcNow();
        AppendInvokeRecord(function, request, requestId, now, "Event");
        LogAccepted(_logger, function.Name, requestId, request.Caller.RuleName);
        var invocation = new AsyncInvocation(requestId, function.Name, function.Arn, request.Payload.ToArray(), now, request.Caller)
        {
            Qualifier = qualifier,
            PayloadIsValidJson = true,
        };
        try
        {
            // Handed to the group-commit store (on disk within StateCommitInterval): an accepted event survives a restart.
            _store?.Save(invocation);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStoreFailed(_logger, ex, requestId);
        }
        try
        {
            // Waits only while MaxQueuedEvents accepted events wait for their first attempt (back-pressure, no loss).
            await _queue.EnqueueAcceptedAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping while the queue was full: the event is stored, so it was accepted and runs after the next start.
            LogDeferred(_logger, function.Name, requestId);
        }
        return InvokeResult.Accepted(requestId, function.Arn);
    }

    private async Task<InvokeResult> InvokeSyncAsync(LambdaFunction function, InvokeRequest request, string requestId, CancellationToken cancellationToken)
    {
        if (_executor is null || !_executor.TryAcquire(function))
        {
            return InvokeResult.Error(429, requestId, "TooManyRequestsException", "Rate Exceeded.") with
            {
                Reason = "ReservedFunctionConcurrentInvocationLimitExceeded",
                FunctionArn = function.Arn,
            };
        }
        var started = _time.GetUtcNow();
        FunctionResult result;
        try
        {
            AppendInvokeRecord(function, request, requestId, started, "RequestResponse");
            LogSync(_logger, function.Name, requestId);
            result = await _executor.ExecuteAsync(new FunctionInvocation(requestId, function, 1, request.Payload, started)
            {
                InvokedFunctionArn = request.FunctionName.StartsWith("arn:", StringComparison.Ordinal) ? request.FunctionName : function.Arn,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _executor.Release(function);
        }
        var finished = _time.GetUtcNow();
        _invocations?.Append(new InvocationLogRecord
        {
            Time = started,
            RequestId = requestId,
            FunctionName = function.Name,
            FunctionArn = function.Arn,
            Attempt = 1,
            Event = request.Payload,
            Outcome = result.Succeeded ? InvocationLogRecord.SuccessOutcome : InvocationLogRecord.UnhandledOutcome,
            ErrorMessage = result.Succeeded ? null : result.ErrorMessage,
            RuleName = request.Caller.RuleName,
        });
        string? log = null;
        if (string.Equals(request.LogType, "Tail", StringComparison.Ordinal))
        {
            var duration = (finished - started).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);
            var text = $"START RequestId: {requestId} Version: $LATEST\n" +
                (result.Succeeded ? "" : $"{result.ErrorType}: {result.ErrorMessage}\n") +
                $"END RequestId: {requestId}\nREPORT RequestId: {requestId}\tDuration: {duration} ms\tMemory Size: {function.Definition.MemorySize} MB\n";
            var bytes = Encoding.UTF8.GetBytes(text);
            log = Convert.ToBase64String(bytes.Length > 4096 ? bytes[^4096..] : bytes);
        }
        return new InvokeResult(200, requestId, FunctionArn: function.Arn)
        {
            Payload = result.Payload,
            FunctionError = result.Succeeded ? null : "Unhandled",
            ExecutedVersion = "$LATEST",
            LogResult = log,
        };
    }

    private async Task<InvokeResult> InvokeRemoteAsync(LambdaFunction function, RemoteFunctionSpec remote, InvokeRequest request, string requestId, CancellationToken cancellationToken)
    {
        if (_remote is null)
        {
            return InvokeResult.Error(500, requestId, "ServiceException", "Remote functions are not available.");
        }
        var type = request.InvocationType.ToString();
        var response = await _remote.InvokeAsync(remote, function.Name, type, request.Payload, cancellationToken).ConfigureAwait(false);
        LogRemote(_logger, function.Name, type, remote.Endpoint, response.StatusCode, response.ErrorCode, response.RequestId);
        if (response.StatusCode is >= 200 and < 300)
        {
            return new InvokeResult(response.StatusCode, response.RequestId ?? requestId, FunctionArn: function.Arn)
            {
                Payload = response.Body,
                FunctionError = response.FunctionError,
                ExecutedVersion = response.ExecutedVersion,
            };
        }
        // The rule's error action reports this status ("The error code is N"); an unreachable endpoint counts as 500.
        return InvokeResult.Error(response.StatusCode == 0 ? 500 : response.StatusCode, requestId, response.ErrorCode ?? "ServiceException",
            response.ErrorMessage ?? "The remote Lambda service refused the call.") with { FunctionArn = function.Arn };
    }

    private void AppendInvokeRecord(LambdaFunction function, InvokeRequest request, string requestId, DateTimeOffset now, string invocationType)
    {
        var account = _engineOptions.AccountId;
        _cloudTrail.Append(new CloudTrailRecord
        {
            UserIdentity = CloudTrailUserIdentity.Service(request.Caller.InvokedBy),
            EventTime = now,
            EventName = CloudTrailRecord.InvokeEventName,
            AwsRegion = _engineOptions.Region,
            SourceIpAddress = request.Caller.InvokedBy,
            UserAgent = request.Caller.InvokedBy,
            RequestParameters = new InvokeRequestParameters(request.FunctionName, invocationType, request.Caller.SourceArn, request.Caller.SourceAccount),
            FunctionVersion = function.LatestVersionArn,
            RequestId = requestId,
            EventId = RandomGuid.NewString(),
            Resources = [CloudTrailResource.Function(account, function.Arn)],
            RecipientAccountId = account,
        });
    }

    /// <summary>The exact command that grants the rules engine the permission it lacks.</summary>
    public static string AddPermissionCommand(string functionName, string? ruleName, string? sourceArn, string? sourceAccount)
    {
        var command = new StringBuilder("aws lambda add-permission --function-name ").Append(functionName)
            .Append(" --statement-id ").Append(ruleName is null ? "iot-invoke" : "iot-" + ruleName)
            .Append(" --action lambda:InvokeFunction --principal iot.amazonaws.com");
        if (sourceArn is not null)
        {
            command.Append(" --source-arn ").Append(sourceArn);
        }
        if (sourceAccount is not null)
        {
            command.Append(" --source-account ").Append(sourceAccount);
        }
        return command.ToString();
    }

    private bool TryParseName(string? functionName, out ParsedFunctionName name)
    {
        if (functionName is not null && _parsedNames.TryGetValue(functionName, out name))
        {
            return true;
        }
        if (!FunctionNames.TryParse(functionName, out name))
        {
            return false;
        }
        if (_parsedNames.Count < MaxParsedNames)
        {
            _parsedNames.TryAdd(functionName!, name);
        }
        return true;
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

    [LoggerMessage(EventIds.InvokeAccepted, LogLevel.Debug, "Lambda accepted Event invoke of {FunctionName}: requestId {RequestId} (rule {RuleName})")]
    private static partial void LogAccepted(ILogger logger, string functionName, string requestId, string? ruleName);

    [LoggerMessage(EventIds.InvokeRejected, LogLevel.Warning, "Lambda Invoke of {FunctionName} failed with {StatusCode} {ErrorCode}: {ErrorMessage} (rule {RuleName})")]
    private static partial void LogRejected(ILogger logger, string functionName, int statusCode, string? errorCode, string? errorMessage, string? ruleName);

    [LoggerMessage(EventIds.PermissionMissing, LogLevel.Warning,
        "AccessDenied: function {FunctionName} has no resource-based policy statement that lets iot.amazonaws.com invoke it for rule {RuleName} ({SourceArn}). Missing permission: lambda:InvokeFunction for principal iot.amazonaws.com. Fix: {AddPermissionCommand}")]
    private static partial void LogPermissionMissing(ILogger logger, string functionName, string ruleName, string sourceArn, string addPermissionCommand);

    [LoggerMessage(EventIds.SyncInvoke, LogLevel.Information, "Lambda running {FunctionName} synchronously (RequestResponse): requestId {RequestId}")]
    private static partial void LogSync(ILogger logger, string functionName, string requestId);

    [LoggerMessage(EventIds.RemoteInvoke, LogLevel.Information, "Lambda forwarded {InvocationType} invoke of remote function {FunctionName} to {Endpoint}: {StatusCode} {ErrorCode} (remote requestId {RemoteRequestId})")]
    private static partial void LogRemote(ILogger logger, string functionName, string invocationType, string endpoint, int statusCode, string? errorCode, string? remoteRequestId);

    [LoggerMessage(EventIds.EventDeferred, LogLevel.Warning, "Lambda could not queue the event for {FunctionName} requestId {RequestId} now (stopping); it stays stored and resumes at the next start")]
    private static partial void LogDeferred(ILogger logger, string functionName, string requestId);

    [LoggerMessage(EventIds.StateStoreFailed, LogLevel.Error, "Lambda could not store accepted event requestId {RequestId}; it runs but would not survive a restart")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string requestId);
}
