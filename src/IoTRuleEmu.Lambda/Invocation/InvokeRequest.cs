namespace IoTRuleEmu.Lambda.Invocation;

/// <summary><c>X-Amz-Invocation-Type</c>.</summary>
public enum InvocationType : byte
{
    RequestResponse,
    Event,
    DryRun,
}

/// <summary>An Invoke API call (<c>POST /2015-03-31/functions/{FunctionName}/invocations</c>).</summary>
public sealed record InvokeRequest
{
    /// <summary>Name, <c>name:qualifier</c>, partial ARN or full ARN, as the caller gave it.</summary>
    public required string FunctionName { get; init; }

    public InvocationType InvocationType { get; init; } = InvocationType.Event;

    /// <summary>The JSON event (may be empty).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary><c>?Qualifier=</c>, if given separately from the name.</summary>
    public string? Qualifier { get; init; }

    /// <summary>Who calls: for the rules engine, the <c>iot.amazonaws.com</c> service principal with the rule as source.</summary>
    public required InvokeCaller Caller { get; init; }

    /// <summary><c>X-Amz-Log-Type</c>: <c>Tail</c> returns the attempt's log in <see cref="InvokeResult.LogResult"/> (RequestResponse only).</summary>
    public string? LogType { get; init; }

    /// <summary>The request id to use (e.g. the API's <c>x-amzn-RequestId</c>); null: a new one.</summary>
    public string? RequestId { get; init; }
}

/// <summary>The calling principal as CloudTrail records it.</summary>
/// <param name="InvokedBy">Service principal, e.g. <c>iot.amazonaws.com</c> (userIdentity.invokedBy, sourceIPAddress, userAgent).</param>
/// <param name="SourceArn">The calling resource, e.g. the rule ARN.</param>
/// <param name="SourceAccount">The calling resource's account.</param>
/// <param name="RuleName">The rule that caused the call, when one did (invocations.jsonl <c>ruleName</c>).</param>
public sealed record InvokeCaller(string InvokedBy, string? SourceArn, string? SourceAccount, string? RuleName)
{
    /// <summary>The AWS IoT rules engine invoking for <paramref name="ruleName"/>.</summary>
    public static InvokeCaller IotRule(string ruleName, string ruleArn, string accountId) =>
        new("iot.amazonaws.com", ruleArn, accountId, ruleName);
}

/// <summary>
/// The answer to an Invoke call: 202 (Event accepted into the async queue), 200 (RequestResponse ran: <see cref="Payload"/>,
/// and <see cref="FunctionError"/> <c>Unhandled</c> when the function failed), 204 (DryRun), or an error that kept the
/// function from running (404 <c>ResourceNotFoundException</c>, 403 <c>AccessDeniedException</c>, 429
/// <c>TooManyRequestsException</c>, 400, 413 …).
/// </summary>
public sealed record InvokeResult(int StatusCode, string RequestId, string? ErrorCode = null, string? ErrorMessage = null, string? FunctionArn = null)
{
    /// <summary>True for 202 (Event), 200 (RequestResponse, even with a function error) and 204 (DryRun).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>RequestResponse: the function's response, or the error document on a function error.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary><c>X-Amz-Function-Error</c>: <c>Unhandled</c> when the function failed (status is still 200).</summary>
    public string? FunctionError { get; init; }

    /// <summary><c>X-Amz-Executed-Version</c> (RequestResponse): <c>$LATEST</c>.</summary>
    public string? ExecutedVersion { get; init; }

    /// <summary><c>X-Amz-Log-Result</c>: base64 of the attempt's log, when <c>Tail</c> was asked for.</summary>
    public string? LogResult { get; init; }

    /// <summary>429 <c>TooManyRequestsException</c>: the <c>Reason</c> field (e.g. <c>ReservedFunctionConcurrentInvocationLimitExceeded</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>Which JSON key AWS uses for this error's message: <c>Message</c> or <c>message</c> (lambda-async.md §2.1).</summary>
    public string MessageKey => ErrorCode is "ResourceNotFoundException" or "ServiceException" ? "Message" : "message";

    public static InvokeResult Accepted(string requestId, string functionArn) => new(202, requestId, null, null, functionArn);

    public static InvokeResult NotFound(string requestId, string message) => new(404, requestId, "ResourceNotFoundException", message);

    public static InvokeResult AccessDenied(string requestId, string message) => new(403, requestId, "AccessDeniedException", message);

    public static InvokeResult Error(int statusCode, string requestId, string errorCode, string message) => new(statusCode, requestId, errorCode, message);
}
