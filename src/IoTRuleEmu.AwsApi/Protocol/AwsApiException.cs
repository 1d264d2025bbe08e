namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>
/// An error answer in AWS's shape: <see cref="Code"/> (the wire error code, e.g. <c>InvalidRequestException</c>), HTTP
/// <see cref="StatusCode"/>, and the message. <see cref="MessageKey"/> is the body member holding the message (Lambda
/// uses <c>Message</c> for some errors and <c>message</c> for others); <see cref="Extra"/> holds further members
/// (e.g. <c>resourceId</c>). Lambda errors also carry <c>Type</c> (<c>User</c> / <c>Service</c>).
/// </summary>
public sealed class AwsApiException : Exception
{
    public AwsApiException(string code, int statusCode, string message, string messageKey = "message",
        IReadOnlyDictionary<string, string>? extra = null, IReadOnlyDictionary<string, string>? headers = null)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
        MessageKey = messageKey;
        Extra = extra ?? new Dictionary<string, string>();
        Headers = headers ?? new Dictionary<string, string>();
    }

    public string Code { get; }

    public int StatusCode { get; }

    public string MessageKey { get; }

    public IReadOnlyDictionary<string, string> Extra { get; }

    /// <summary>Extra response headers (e.g. <c>Retry-After</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }
}

/// <summary>The errors the protocol layer itself raises.</summary>
internal static class CommonErrors
{
    public static AwsApiException WrongRegion(string region) =>
        new("InvalidSignatureException", 403, $"Credential should be scoped to a valid region, not '{region}'. ");

    public static AwsApiException IncompleteSignature(string reason, string authorization) =>
        new("IncompleteSignatureException", 400, $"{reason} Authorization={authorization}");

    public static AwsApiException UnknownOperation(AwsServiceKind service, string method, string path) =>
        service.Protocol() == AwsProtocol.Json11
            ? new("UnknownOperationException", 400, $"The operation is not supported by this endpoint: {method} {path}")
            : new("UnknownOperationException", 404, $"No operation of {service} matches {method} {path}.");

    public static AwsApiException Internal(AwsServiceKind service, string message) => service switch
    {
        AwsServiceKind.Iot => new("InternalException", 500, message),
        AwsServiceKind.IotData => new("InternalFailureException", 500, message),
        AwsServiceKind.Lambda => new("ServiceException", 500, message, "Message"),
        _ => new("InternalFailure", 500, message),
    };
}
