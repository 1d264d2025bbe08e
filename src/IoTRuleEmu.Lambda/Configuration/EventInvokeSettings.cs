using System.Globalization;
using System.Text.RegularExpressions;

namespace IoTRuleEmu.Lambda.Configuration;

/// <summary>
/// A function's EventInvokeConfig (lambda-async.md §1.5): retry budget, maximum event age and destinations. Unset members
/// are null (the AWS defaults apply: 2 retries, 21600 s).
/// </summary>
public sealed record EventInvokeSettings(
    int? MaximumRetryAttempts = null,
    int? MaximumEventAgeInSeconds = null,
    string? OnSuccessDestination = null,
    string? OnFailureDestination = null)
{
    public const int DefaultMaximumRetryAttempts = 2;
    public const int DefaultMaximumEventAgeInSeconds = 21600;

    /// <summary>True when no member is set (Put would answer "You must specify at least one …").</summary>
    public bool IsEmpty => MaximumRetryAttempts is null && MaximumEventAgeInSeconds is null && OnSuccessDestination is null && OnFailureDestination is null;
}

/// <summary>An EventInvokeConfig as stored for a function and qualifier, with its <c>LastModified</c> time.</summary>
public sealed record FunctionEventInvokeConfig(string FunctionName, string Qualifier, EventInvokeSettings Settings, DateTimeOffset LastModified, EventInvokeConfigSource Source);

/// <summary>Who set an EventInvokeConfig: the functions file (reset on reload) or the API (kept until deleted).</summary>
public enum EventInvokeConfigSource : byte
{
    FunctionsFile,
    Api,
}

/// <summary>An EventInvokeConfig validation failure, as AWS reports it (HTTP 400).</summary>
public sealed record EventInvokeConfigError(string ErrorCode, string Message, string Field);

/// <summary>
/// AWS's checks on EventInvokeConfig and DeadLetterConfig, with AWS's wording (lambda-async.md §2.3). Used by the functions
/// file and by the Put/UpdateFunctionEventInvokeConfig API.
/// </summary>
public static partial class EventInvokeConfigValidator
{
    public const string ValidationException = "ValidationException";
    public const string InvalidParameterValueException = "InvalidParameterValueException";

    /// <summary>The destination ARN pattern of the Lambda API model.</summary>
    public const string DestinationArnPattern = @"^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)";

    /// <summary>
    /// Every problem with <paramref name="settings"/> for the function <paramref name="functionArn"/> (unqualified).
    /// <paramref name="functionExists"/> answers whether a Lambda destination's function exists (null: not checked).
    /// </summary>
    public static IReadOnlyList<EventInvokeConfigError> Validate(EventInvokeSettings settings, string functionArn, Func<string, bool>? functionExists = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<EventInvokeConfigError>();
        if (settings.MaximumRetryAttempts is int retries && retries is < 0 or > 2)
        {
            errors.Add(new(ValidationException, RangeMessage(retries, "maximumRetryAttempts", 0, 2), "maximumRetryAttempts"));
        }
        if (settings.MaximumEventAgeInSeconds is int age && age is < 60 or > 21600)
        {
            errors.Add(new(ValidationException, RangeMessage(age, "maximumEventAgeInSeconds", 60, 21600), "maximumEventAgeInSeconds"));
        }
        foreach (var (arn, field, onFailure) in new[] { (settings.OnSuccessDestination, "onSuccess", false), (settings.OnFailureDestination, "onFailure", true) })
        {
            if (arn is null)
            {
                continue;
            }
            if (!DestinationArnRegex().IsMatch(arn) || arn.Length > 350)
            {
                errors.Add(new(ValidationException,
                    $"1 validation error detected: Value '{arn}' at 'destinationConfig.{field}.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: {DestinationArnPattern}",
                    field));
                continue;
            }
            var service = ArnService(arn);
            if (service is not ("sqs" or "sns" or "lambda" or "events") && !(service == "s3" && onFailure))
            {
                errors.Add(new(InvalidParameterValueException,
                    $"The provided destination config DestinationConfig(onSuccess={Describe("OnSuccess", settings.OnSuccessDestination)}, onFailure={Describe("OnFailure", settings.OnFailureDestination)}) is invalid.",
                    field));
                continue;
            }
            if (service == "lambda")
            {
                var target = TrimQualifier(arn);
                if (string.Equals(target, functionArn, StringComparison.Ordinal))
                {
                    errors.Add(new(InvalidParameterValueException, "You can't specify the function as a destination for itself.", field));
                }
                else if (functionExists is not null && !functionExists(FunctionNameOf(arn)))
                {
                    errors.Add(new(InvalidParameterValueException, $"The destination ARN {arn} is invalid.", field));
                }
            }
        }
        return errors;
    }

    /// <summary>A DeadLetterConfig.TargetArn must be an SQS queue or SNS topic ARN; null when it is.</summary>
    public static EventInvokeConfigError? ValidateDeadLetterTarget(string arn)
    {
        ArgumentNullException.ThrowIfNull(arn);
        if (!DestinationArnRegex().IsMatch(arn) || arn.Length == 0)
        {
            return new(ValidationException,
                $"1 validation error detected: Value '{arn}' at 'deadLetterConfig.targetArn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()",
                "deadLetterTargetArn");
        }
        return ArnService(arn) is "sqs" or "sns"
            ? null
            : new(InvalidParameterValueException, $"The provided target arn {arn} is invalid: a dead-letter queue must be an SQS queue or an SNS topic.", "deadLetterTargetArn");
    }

    /// <summary>The service part of an ARN (<c>sqs</c>, <c>sns</c>, <c>lambda</c>, …), or null.</summary>
    public static string? ArnService(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length >= 6 && parts[0] == "arn" ? parts[2] : null;
    }

    /// <summary><c>arn:aws:lambda:r:a:function:name[:q]</c> → <c>name</c>.</summary>
    public static string FunctionNameOf(string lambdaArn)
    {
        var parts = lambdaArn.Split(':');
        return parts.Length >= 7 ? parts[6] : lambdaArn;
    }

    private static string TrimQualifier(string lambdaArn)
    {
        var parts = lambdaArn.Split(':');
        return parts.Length >= 8 ? string.Join(':', parts[..7]) : lambdaArn;
    }

    private static string Describe(string kind, string? arn) => arn is null ? "null" : $"{kind}(destination={arn})";

    private static string RangeMessage(int value, string field, int min, int max) => string.Create(CultureInfo.InvariantCulture,
        $"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have value {(value < min ? $"greater than or equal to {min}" : $"less than or equal to {max}")}");

    [GeneratedRegex(DestinationArnPattern, RegexOptions.CultureInvariant)]
    private static partial Regex DestinationArnRegex();
}
