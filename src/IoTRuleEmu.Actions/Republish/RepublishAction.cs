using System.Globalization;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Sql.Templates;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Actions.Republish;

/// <summary>The MQTT 5 headers of a republish action, each a substitution template (null when absent).</summary>
public sealed record RepublishHeaders(
    SubstitutionTemplate? PayloadFormatIndicator,
    SubstitutionTemplate? ContentType,
    SubstitutionTemplate? ResponseTopic,
    SubstitutionTemplate? CorrelationData,
    SubstitutionTemplate? MessageExpiry,
    IReadOnlyList<(SubstitutionTemplate Key, SubstitutionTemplate Value)> UserProperties);

/// <summary>
/// The rule action <c>republish</c>: publishes the SQL result (or, as an error action, the error document) to
/// <c>topic</c> with <c>qos</c> and MQTT 5 <c>headers</c>, all templated against the original message. A topic written
/// with a leading <c>$$</c> publishes to the reserved <c>$</c> topic. The published message carries the source message's
/// republish depth + 1, so the engine's loop guard can stop republish loops.
/// </summary>
public sealed partial class RepublishAction(SubstitutionTemplate topic, int qos, RepublishHeaders? headers, IMessagePublisher? publisher, ILogger logger) : IRuleAction
{
    public string ActionKey => ActionKinds.Republish;

    public SubstitutionTemplate Topic { get; } = topic;

    public int Qos { get; } = qos;

    public RepublishHeaders? Headers { get; } = headers;

    public async ValueTask<ActionResult> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Render everything before the first await (see IRuleAction).
        var topic = ResolveReservedPrefix(context.Render(Topic));
        if (!IsValidTopic(topic, out var topicError))
        {
            return ActionResult.Failure(topic, $"Failed to republish to topic '{topic}': {topicError}");
        }
        OutboundMessage message;
        try
        {
            message = BuildMessage(context, topic);
        }
        catch (FormatException ex)
        {
            return ActionResult.Failure(topic, $"Failed to republish to topic '{topic}': {ex.Message}");
        }
        if (publisher is null)
        {
            return ActionResult.Failure(topic, $"Failed to republish to topic '{topic}': no message publisher is configured.");
        }

        try
        {
            await publisher.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, context.Rule.Name, topic, context.TraceId, ex.Message);
            return ActionResult.Failure(topic, $"Failed to republish to topic '{topic}': {ex.Message}");
        }
        LogRepublished(logger, context.Rule.Name, topic, message.Qos, message.RepublishDepth, context.TraceId);
        return ActionResult.Success(topic);
    }

    /// <summary><c>$$aws/...</c> → <c>$aws/...</c>: how a republish action names a reserved topic.</summary>
    public static string ResolveReservedPrefix(string topic) =>
        topic.StartsWith("$$", StringComparison.Ordinal) ? topic[1..] : topic;

    private OutboundMessage BuildMessage(ActionContext context, string topic)
    {
        bool? payloadIsUtf8 = null;
        string? contentType = null, responseTopic = null;
        ReadOnlyMemory<byte>? correlationData = null;
        uint? expiry = null;
        var userProperties = new List<KeyValuePair<string, string>>();
        if (Headers is { } h)
        {
            if (h.PayloadFormatIndicator is not null)
            {
                payloadIsUtf8 = context.Render(h.PayloadFormatIndicator) switch
                {
                    "UTF8_DATA" => true,
                    "UNSPECIFIED_BYTES" => false,
                    var other => throw new FormatException($"headers.payloadFormatIndicator must be UNSPECIFIED_BYTES or UTF8_DATA, not '{other}'."),
                };
            }
            contentType = h.ContentType is null ? null : context.Render(h.ContentType);
            responseTopic = h.ResponseTopic is null ? null : context.Render(h.ResponseTopic);
            if (h.CorrelationData is not null)
            {
                var text = context.Render(h.CorrelationData);
                try
                {
                    correlationData = Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    throw new FormatException($"headers.correlationData must be base64, not '{text}'.");
                }
            }
            if (h.MessageExpiry is not null)
            {
                var text = context.Render(h.MessageExpiry);
                if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    throw new FormatException($"headers.messageExpiry must be a whole number of seconds, not '{text}'.");
                }
                expiry = seconds;
            }
            foreach (var (key, value) in h.UserProperties)
            {
                userProperties.Add(new KeyValuePair<string, string>(context.Render(key), context.Render(value)));
            }
        }
        return new OutboundMessage
        {
            Topic = topic,
            Payload = context.Payload,
            Qos = Qos,
            PayloadIsUtf8 = payloadIsUtf8,
            ContentType = contentType,
            ResponseTopic = responseTopic,
            CorrelationData = correlationData,
            MessageExpiryInterval = expiry,
            UserProperties = userProperties,
            RepublishDepth = context.Message.RepublishDepth + 1,
            SourceRuleName = context.Rule.Name,
            SourceTraceId = context.TraceId,
        };
    }

    private static bool IsValidTopic(string topic, out string error)
    {
        if (topic.Length == 0)
        {
            error = "the topic is empty";
            return false;
        }
        if (topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal))
        {
            error = "a topic to publish to cannot contain the wildcards '+' or '#'";
            return false;
        }
        if (topic.Contains('\0', StringComparison.Ordinal))
        {
            error = "the topic contains a null character";
            return false;
        }
        error = string.Empty;
        return true;
    }

    [LoggerMessage(EventIds.Republished, LogLevel.Information, "Rule {RuleName} republished to {Topic} (qos {Qos}, depth {Depth}, trace {TraceId})")]
    private static partial void LogRepublished(ILogger logger, string ruleName, string topic, int qos, int depth, string traceId);

    [LoggerMessage(EventIds.RepublishFailed, LogLevel.Warning, "Rule {RuleName} could not republish to {Topic} (trace {TraceId}): {Error}")]
    private static partial void LogFailed(ILogger logger, string ruleName, string topic, string traceId, string error);
}
