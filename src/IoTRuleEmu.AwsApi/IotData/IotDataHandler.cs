using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Protocol;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.IotData;

/// <summary>
/// The AWS IoT data plane (iot-sql.md §9.2): Publish (<c>POST /topics/{topic}</c>), GetRetainedMessage and
/// ListRetainedMessages. A published message enters the broker and the rules like an MQTT publish, without a client id.
/// </summary>
public sealed class IotDataHandler(IDataPlanePublisher publisher, TimeProvider time, IOptions<AwsApiOptions> options) : IAwsServiceHandler
{
    private const int MaxTopicBytes = 256;
    private const int MaxListResults = 200;
    private readonly AwsApiOptions _options = options.Value;

    public AwsServiceKind Service => AwsServiceKind.IotData;

    public async ValueTask<bool> HandleAsync(AwsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var s = request.Segments;
        if (s.Count >= 2 && s[0] == "topics" && request.Method == "POST")
        {
            // The topic is one (percent-encoded) label; an unencoded topic with slashes is accepted too (curl).
            await PublishAsync(request, string.Join('/', s.Skip(1))).ConfigureAwait(false);
            return true;
        }
        if (s.Count >= 2 && s[0] == "retainedMessage" && request.Method == "GET")
        {
            await GetRetainedMessageAsync(request, string.Join('/', s.Skip(1))).ConfigureAwait(false);
            return true;
        }
        if (s.Count == 1 && s[0] == "retainedMessage" && request.Method == "GET")
        {
            await ListRetainedMessagesAsync(request).ConfigureAwait(false);
            return true;
        }
        return false;
    }

    private async Task PublishAsync(AwsRequest request, string topic)
    {
        ValidateTopic(topic);
        var qos = 0;
        if (request.QueryValue("qos") is { } qosText && (!int.TryParse(qosText, NumberStyles.Integer, CultureInfo.InvariantCulture, out qos) || qos is < 0 or > 1))
        {
            throw Invalid($"1 validation error detected: Value '{qosText}' at 'qos' failed to satisfy constraint: Member must have value between 0 and 1");
        }
        var retain = false;
        if (request.QueryValue("retain") is { } retainText && !bool.TryParse(retainText, out retain))
        {
            throw Invalid($"Invalid value '{retainText}' for retain: expected true or false.");
        }
        uint? expiry = null;
        if (request.QueryValue("messageExpiry") is { } expiryText)
        {
            if (!uint.TryParse(expiryText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                throw Invalid($"Invalid value '{expiryText}' for messageExpiry: expected seconds (0 to 4294967295).");
            }
            expiry = seconds;
        }
        bool? utf8 = request.Header("x-amz-mqtt5-payload-format-indicator") switch
        {
            null or "" => null,
            "UNSPECIFIED_BYTES" => false,
            "UTF8_DATA" => true,
            var other => throw Invalid($"1 validation error detected: Value '{other}' at 'payloadFormatIndicator' failed to satisfy constraint: Member must satisfy enum value set: [UNSPECIFIED_BYTES, UTF8_DATA]"),
        };
        ReadOnlyMemory<byte>? correlation = null;
        if (request.Header("x-amz-mqtt5-correlation-data") is { Length: > 0 } correlationText)
        {
            correlation = Base64(correlationText, "correlationData");
        }
        var userProperties = request.Header("x-amz-mqtt5-user-properties") is { Length: > 0 } propertiesText
            ? ParseUserProperties(propertiesText)
            : [];
        if (request.Body.Length > _options.MaxPublishPayloadBytes)
        {
            throw new AwsApiException("RequestEntityTooLargeException", 413,
                $"The payload exceeds the maximum size allowed ({request.Body.Length} > {_options.MaxPublishPayloadBytes} bytes).");
        }
        if (utf8 == true && !IsUtf8(request.Body))
        {
            throw Invalid("The payload is not valid UTF-8 although payloadFormatIndicator is UTF8_DATA.");
        }

        await publisher.PublishAsync(new DataPlaneMessage
        {
            Topic = topic,
            Payload = request.Body,
            Qos = qos,
            Retain = retain,
            ContentType = request.QueryValue("contentType"),
            PayloadIsUtf8 = utf8,
            ResponseTopic = request.QueryValue("responseTopic"),
            CorrelationData = correlation,
            MessageExpiryInterval = expiry,
            UserProperties = userProperties,
            SourceIp = request.RemoteIp,
            ReceivedAt = time.GetUtcNow(),
        }, request.Aborted).ConfigureAwait(false);

        // SDKs ignore the body; devices publishing over HTTPS see this one.
        await AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("message", "OK");
            w.WriteString("traceId", Guid.NewGuid().ToString());
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task GetRetainedMessageAsync(AwsRequest request, string topic)
    {
        ValidateTopic(topic);
        var message = await publisher.GetRetainedMessageAsync(topic, request.Aborted).ConfigureAwait(false)
            ?? throw new AwsApiException("ResourceNotFoundException", 404, $"No retained message exists for topic '{topic}'.");
        await AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("topic", message.Topic);
            w.WriteBase64String("payload", message.Payload.Span);
            w.WriteNumber("qos", message.Qos);
            w.WriteNumber("lastModifiedTime", message.LastModified.ToUnixTimeMilliseconds());
            if (message.UserProperties.Count > 0)
            {
                w.WriteBase64String("userProperties", SerializeUserProperties(message.UserProperties));
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task ListRetainedMessagesAsync(AwsRequest request)
    {
        var max = MaxListResults;
        if (request.QueryValue("maxResults") is { } maxText
            && (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxListResults))
        {
            throw Invalid($"1 validation error detected: Value '{maxText}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and {MaxListResults}");
        }
        string? after = null;
        if (request.QueryValue("nextToken") is { Length: > 0 } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw Invalid("The nextToken is invalid.");
            }
        }
        var all = (await publisher.ListRetainedMessagesAsync(request.Aborted).ConfigureAwait(false))
            .OrderBy(m => m.Topic, StringComparer.Ordinal)
            .Where(m => after is null || string.CompareOrdinal(m.Topic, after) > 0)
            .ToList();
        var page = all.Take(max).ToList();
        var next = all.Count > page.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Topic)) : null;
        await AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("retainedTopics");
            foreach (var m in page)
            {
                w.WriteStartObject();
                w.WriteString("topic", m.Topic);
                w.WriteNumber("payloadSize", m.Payload.Length);
                w.WriteNumber("qos", m.Qos);
                w.WriteNumber("lastModifiedTime", m.LastModified.ToUnixTimeMilliseconds());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (next is not null)
            {
                w.WriteString("nextToken", next);
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void ValidateTopic(string topic)
    {
        if (topic.Length == 0)
        {
            throw Invalid("The topic must not be empty.");
        }
        if (topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal))
        {
            throw Invalid($"The topic '{topic}' is invalid: wildcard characters '+' and '#' are not allowed in a publish topic.");
        }
        if (topic.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid("The topic must not contain the null character.");
        }
        var bytes = Encoding.UTF8.GetByteCount(topic);
        if (bytes > MaxTopicBytes && !topic.StartsWith("$aws/rules/", StringComparison.Ordinal))
        {
            throw Invalid($"The topic is {bytes} bytes long; the maximum is {MaxTopicBytes} bytes of UTF-8.");
        }
    }

    /// <summary><c>x-amz-mqtt5-user-properties</c>: base64 of a JSON array of one-key objects, <c>[{"deviceName":"alpha"},…]</c>.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> ParseUserProperties(string header)
    {
        var bytes = Base64(header, "userProperties");
        try
        {
            var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.String)
            {
                // boto3 JSON-encodes the value it is given; callers often give it an already encoded JSON string.
                var inner = doc.RootElement.GetString()!;
                doc.Dispose();
                doc = JsonDocument.Parse(inner);
            }
            using var _ = doc;
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("userProperties must be a JSON array of objects, e.g. [{\"deviceName\":\"alpha\"}].");
            }
            var list = new List<KeyValuePair<string, string>>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid("userProperties must be a JSON array of objects, e.g. [{\"deviceName\":\"alpha\"}].");
                }
                foreach (var p in item.EnumerateObject())
                {
                    list.Add(new(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
                }
            }
            return list;
        }
        catch (JsonException ex)
        {
            throw Invalid("userProperties is not valid JSON: " + AwsRequest.StripPosition(ex.Message));
        }
    }

    internal static byte[] SerializeUserProperties(IReadOnlyList<KeyValuePair<string, string>> properties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, AwsResponses.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var (key, value) in properties)
            {
                writer.WriteStartObject();
                writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Base64(string text, string member)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Invalid($"{member} must be base64-encoded.");
        }
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static AwsApiException Invalid(string message) => new("InvalidRequestException", 400, message);
}
