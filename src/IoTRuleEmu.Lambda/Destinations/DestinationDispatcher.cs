using System.Globalization;
using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Destinations;

/// <summary>
/// Delivers what happens to an async event (lambda-async.md §1.6–1.8): on success the invocation record goes to the
/// OnSuccess destination; on failure (RetriesExhausted, EventAgeExceeded, ZeroReservedConcurrency) the record goes to the
/// OnFailure destination and the original event to the dead-letter queue (with <c>RequestID</c>, <c>ErrorCode</c>,
/// <c>ErrorMessage</c> attributes). Targets: another emulated function (a new Event invoke by <c>lambda.amazonaws.com</c>),
/// SQS and SNS at the functions file's <c>endpoints</c>, and <c>&lt;data&gt;/destinations.jsonl</c> (always written; the only
/// target for a service with no endpoint). A failed delivery is logged (AWS: DestinationDeliveryFailures / DeadLetterErrors)
/// and the event is dropped, as on AWS.
/// </summary>
public sealed partial class DestinationDispatcher(
    IEventInvokeConfigStore configs,
    IFunctionRegistry functions,
    IDestinationLog log,
    SqsSender sqs,
    SnsSender sns,
    IServiceProvider services,
    TimeProvider timeProvider,
    IOptions<RuleEngineOptions> engineOptions,
    ILogger<DestinationDispatcher> logger) : IAsyncInvocationListener
{
    /// <summary>SNS messages are limited to 256 KB; a larger record is sent without its payloads.</summary>
    public const int SnsMaxBytes = 256 * 1024;

    private readonly string _account = engineOptions.Value.AccountId;

    public async ValueTask OnCompletedAsync(AsyncInvocation invocation, AsyncInvocationCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (condition == AsyncInvocationCondition.FunctionNotFound)
        {
            return;
        }
        var settings = configs.Get(invocation.FunctionName, invocation.Qualifier)?.Settings;
        var success = condition == AsyncInvocationCondition.Success;
        var destination = success ? settings?.OnSuccessDestination : settings?.OnFailureDestination;
        if (destination is not null)
        {
            var now = timeProvider.GetUtcNow();
            var record = InvocationRecordBuilder.Build(invocation, condition, now);
            if (EventInvokeConfigValidator.ArnService(destination) == "sns" && record.Length > SnsMaxBytes)
            {
                record = InvocationRecordBuilder.Build(invocation, condition, now, includePayloads: false);
            }
            await DeliverAsync(success ? DestinationLogRecord.OnSuccessKind : DestinationLogRecord.OnFailureKind, destination, invocation, condition, record, null, cancellationToken).ConfigureAwait(false);
        }
        if (!success && functions.TryGet(invocation.FunctionName, out var function) && function.Definition.DeadLetterTargetArn is { } dlq)
        {
            var last = invocation.Attempts.Count > 0 ? invocation.Attempts[^1] : null;
            var (code, message) = last is null ? ("429", "Rate Exceeded.") : ("200", last.ErrorMessage ?? "Unhandled");
            if (Encoding.UTF8.GetByteCount(message) > 1024)
            {
                message = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(message), 0, 1024).TrimEnd('\uFFFD');
            }
            var attributes = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
            {
                ["RequestID"] = ("String", invocation.RequestId),
                ["ErrorCode"] = ("Number", code),
                ["ErrorMessage"] = ("String", message),
            };
            var body = invocation.Payload.IsEmpty ? "{}"u8.ToArray() : invocation.Payload.ToArray();
            await DeliverAsync(DestinationLogRecord.DeadLetterKind, dlq, invocation, condition, body, attributes, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(string kind, string arn, AsyncInvocation invocation, AsyncInvocationCondition condition, byte[] body,
        IReadOnlyDictionary<string, (string DataType, string Value)>? attributes, CancellationToken cancellationToken)
    {
        var service = EventInvokeConfigValidator.ArnService(arn);
        var endpoints = functions.Endpoints;
        string deliveredTo = "file";
        string? error = null;
        try
        {
            switch (service)
            {
                case "lambda":
                    deliveredTo = "lambda";
                    var lambda = services.GetRequiredService<ILambdaService>();
                    var result = await lambda.InvokeAsync(new InvokeRequest
                    {
                        FunctionName = arn,
                        InvocationType = InvocationType.Event,
                        Payload = body,
                        Caller = new InvokeCaller("lambda.amazonaws.com", invocation.FunctionArn, _account, null),
                    }, cancellationToken).ConfigureAwait(false);
                    if (!result.Succeeded)
                    {
                        error = string.Create(CultureInfo.InvariantCulture, $"Invoke failed with {result.StatusCode} {result.ErrorCode}: {result.ErrorMessage}");
                    }
                    break;
                case "sqs" when endpoints.Sqs is { } sqsEndpoint:
                    deliveredTo = "sqs";
                    await sqs.SendAsync(sqsEndpoint, arn, new QueueMessage(Encoding.UTF8.GetString(body), attributes), cancellationToken).ConfigureAwait(false);
                    break;
                case "sns" when endpoints.Sns is { } snsEndpoint:
                    deliveredTo = "sns";
                    await sns.PublishAsync(snsEndpoint, arn, new QueueMessage(Encoding.UTF8.GetString(body), attributes), cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
        }
        log.Append(new DestinationLogRecord
        {
            Time = timeProvider.GetUtcNow(),
            Kind = kind,
            Destination = arn,
            RequestId = invocation.RequestId,
            FunctionName = invocation.FunctionName,
            Condition = condition.ToString(),
            DeliveredTo = deliveredTo,
            Body = body,
            MessageAttributes = attributes,
            Error = error,
        });
        if (error is not null)
        {
            if (kind == DestinationLogRecord.DeadLetterKind)
            {
                LogDeadLetterFailed(logger, invocation.FunctionName, invocation.RequestId, arn, error);
            }
            else
            {
                LogDeliveryFailed(logger, kind, invocation.FunctionName, invocation.RequestId, arn, error);
            }
        }
        else if (kind == DestinationLogRecord.DeadLetterKind)
        {
            LogDeadLetter(logger, invocation.FunctionName, invocation.RequestId, arn, deliveredTo);
        }
        else
        {
            LogDelivered(logger, kind, invocation.FunctionName, invocation.RequestId, condition.ToString(), arn, deliveredTo);
        }
    }

    [LoggerMessage(EventIds.DestinationDelivered, LogLevel.Information, "Lambda sent the {Kind} record of {FunctionName} requestId {RequestId} ({Condition}) to {Destination} via {DeliveredTo}")]
    private static partial void LogDelivered(ILogger logger, string kind, string functionName, string requestId, string condition, string destination, string deliveredTo);

    [LoggerMessage(EventIds.DestinationDeliveryFailed, LogLevel.Warning, "DestinationDeliveryFailures: the {Kind} record of {FunctionName} requestId {RequestId} could not be sent to {Destination}: {Error}")]
    private static partial void LogDeliveryFailed(ILogger logger, string kind, string functionName, string requestId, string destination, string error);

    [LoggerMessage(EventIds.DeadLetterDelivered, LogLevel.Information, "Lambda sent the event of {FunctionName} requestId {RequestId} to its dead-letter queue {Destination} via {DeliveredTo}")]
    private static partial void LogDeadLetter(ILogger logger, string functionName, string requestId, string destination, string deliveredTo);

    [LoggerMessage(EventIds.DeadLetterFailed, LogLevel.Warning, "DeadLetterErrors: the event of {FunctionName} requestId {RequestId} could not be sent to {Destination} and is dropped: {Error}")]
    private static partial void LogDeadLetterFailed(ILogger logger, string functionName, string requestId, string destination, string error);
}
