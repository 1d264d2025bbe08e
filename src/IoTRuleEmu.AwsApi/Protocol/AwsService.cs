namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>The AWS services the endpoint serves.</summary>
public enum AwsServiceKind : byte
{
    /// <summary>AWS IoT control plane (rest-json, signing name <c>iot</c>).</summary>
    Iot,
    /// <summary>AWS IoT data plane (rest-json, signing name <c>iotdata</c>).</summary>
    IotData,
    /// <summary>AWS Lambda (rest-json, signing name <c>lambda</c>).</summary>
    Lambda,
    /// <summary>AWS CloudTrail (JSON 1.1, signing name <c>cloudtrail</c>).</summary>
    CloudTrail,
}

/// <summary>The wire protocol of a service, which fixes the error shape.</summary>
public enum AwsProtocol : byte
{
    /// <summary><c>x-amzn-ErrorType</c> header + <c>{"message":…}</c> body.</summary>
    RestJson,
    /// <summary><c>{"__type":…,"message":…}</c> body, <c>application/x-amz-json-1.1</c>.</summary>
    Json11,
}

/// <summary>Names that identify each service on the wire.</summary>
public static class AwsServices
{
    /// <summary>The CloudTrail JSON 1.1 target prefix (the full one; <c>X-Amz-Target</c> = prefix + "." + operation).</summary>
    public const string CloudTrailTargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

    public static AwsProtocol Protocol(this AwsServiceKind service) =>
        service == AwsServiceKind.CloudTrail ? AwsProtocol.Json11 : AwsProtocol.RestJson;

    /// <summary>The service for a SigV4 credential-scope service name, or null when it is not served here.</summary>
    public static AwsServiceKind? FromSigningName(string? signingName) => signingName switch
    {
        "iot" => AwsServiceKind.Iot,
        "iotdata" or "iot-data" => AwsServiceKind.IotData,
        "lambda" => AwsServiceKind.Lambda,
        "cloudtrail" => AwsServiceKind.CloudTrail,
        _ => null,
    };

    /// <summary>The service whose REST paths start like <paramref name="firstSegment"/>, or null.</summary>
    public static AwsServiceKind? FromPath(string firstSegment) => firstSegment switch
    {
        "rules" => AwsServiceKind.Iot,
        "topics" or "retainedMessage" => AwsServiceKind.IotData,
        "2015-03-31" or "2019-09-25" or "2014-11-13" => AwsServiceKind.Lambda,
        _ => null,
    };
}
