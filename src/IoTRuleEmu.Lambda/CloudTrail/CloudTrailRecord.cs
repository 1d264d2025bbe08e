namespace IoTRuleEmu.Lambda.CloudTrail;

/// <summary>
/// A CloudTrail data event for Lambda (lambda-async.md §4.2/4.3): an <c>Invoke</c> the service accepted, or an
/// <c>InvokeExecution</c> attempt. Serialized by <see cref="CloudTrailJson"/> with the field order of real records.
/// </summary>
public sealed record CloudTrailRecord
{
    public const string InvokeEventName = "Invoke";
    public const string InvokeExecutionEventName = "InvokeExecution";
    public const string LambdaEventSource = "lambda.amazonaws.com";
    public const string IotService = "iot.amazonaws.com";

    public string EventVersion { get; init; } = "1.11";

    public required CloudTrailUserIdentity UserIdentity { get; init; }

    /// <summary>Written as ISO-8601 UTC with seconds precision.</summary>
    public required DateTimeOffset EventTime { get; init; }

    public string EventSource { get; init; } = LambdaEventSource;

    public required string EventName { get; init; }

    public required string AwsRegion { get; init; }

    public required string SourceIpAddress { get; init; }

    public required string UserAgent { get; init; }

    /// <summary>Invoke: the call's parameters; InvokeExecution: null.</summary>
    public InvokeRequestParameters? RequestParameters { get; init; }

    /// <summary><c>additionalEventData.functionVersion</c>, e.g. <c>arn:…:function:name:$LATEST</c>.</summary>
    public required string FunctionVersion { get; init; }

    public required string RequestId { get; init; }

    public required string EventId { get; init; }

    public bool ReadOnly { get; init; }

    public required IReadOnlyList<CloudTrailResource> Resources { get; init; }

    public string EventType { get; init; } = "AwsApiCall";

    public bool ManagementEvent { get; init; }

    public required string RecipientAccountId { get; init; }

    public string EventCategory { get; init; } = "Data";

    /// <summary>The unqualified function ARN (the first resource), for convenience.</summary>
    public string FunctionArn => Resources.Count > 0 ? Resources[0].Arn : string.Empty;
}

/// <summary><c>userIdentity</c>: <c>{"type":"AWSService","invokedBy":"iot.amazonaws.com"}</c>.</summary>
public sealed record CloudTrailUserIdentity(string Type, string InvokedBy)
{
    public static CloudTrailUserIdentity Service(string invokedBy) => new("AWSService", invokedBy);
}

/// <summary><c>requestParameters</c> of an async <c>Invoke</c>.</summary>
public sealed record InvokeRequestParameters(string FunctionName, string InvocationType, string? SourceArn, string? SourceAccount);

/// <summary>One entry of <c>resources</c>: <c>{"accountId","type":"AWS::Lambda::Function","ARN"}</c>.</summary>
public sealed record CloudTrailResource(string AccountId, string Type, string Arn)
{
    public static CloudTrailResource Function(string accountId, string arn) => new(accountId, "AWS::Lambda::Function", arn);
}
