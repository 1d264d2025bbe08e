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
/// The answer to an Invoke call: 202 (accepted into the async queue, with the request id), or an error that kept the
/// function from running (404 <c>ResourceNotFoundException</c>, 403 <c>AccessDeniedException</c>, 400, 413 …).
/// </summary>
public sealed record InvokeResult(int StatusCode, string RequestId, string? ErrorCode = null, string? ErrorMessage = null, string? FunctionArn = null)
{
    /// <summary>True for 202 (Event) and 200/204 (later: RequestResponse, DryRun).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    public static InvokeResult Accepted(string requestId, string functionArn) => new(202, requestId, null, null, functionArn);

    public static InvokeResult NotFound(string requestId, string message) => new(404, requestId, "ResourceNotFoundException", message);

    public static InvokeResult AccessDenied(string requestId, string message) => new(403, requestId, "AccessDeniedException", message);

    public static InvokeResult Error(int statusCode, string requestId, string errorCode, string message) => new(statusCode, requestId, errorCode, message);
}
