using IoTRuleEmu.AwsApi.Protocol;

namespace IoTRuleEmu.AwsApi.Lambda;

/// <summary>Lambda's error answers, with the message-key casing of each exception (lambda-async.md §2.1).</summary>
internal static class LambdaErrors
{
    /// <summary>Errors whose message member is <c>Message</c> (capital M); all others use <c>message</c>.</summary>
    private static readonly HashSet<string> s_capitalMessage = new(StringComparer.Ordinal)
    {
        "ResourceNotFoundException", "ServiceException", "AccessDeniedException", "NoPublishedVersionException",
        "RecursiveInvocationException", "DurableExecutionAlreadyStartedException",
    };

    public static AwsApiException Create(string code, int status, string message) =>
        new(code, status, message, s_capitalMessage.Contains(code) ? "Message" : "message");

    public static AwsApiException FunctionNotFound(string qualifiedArn) =>
        Create("ResourceNotFoundException", 404, $"Function not found: {qualifiedArn}");

    public static AwsApiException InvalidParameter(string message) => Create("InvalidParameterValueException", 400, message);

    public static AwsApiException Validation(string message) => Create("ValidationException", 400, message);

    public static AwsApiException InvalidName(string value, string member = "functionName") => Validation(
        $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?");

    public static AwsApiException BadJson(string reason) =>
        Create("InvalidRequestContentException", 400, "Could not parse request body into json: " + reason);
}
