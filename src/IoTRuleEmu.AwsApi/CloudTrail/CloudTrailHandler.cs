using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Lambda.CloudTrail;

namespace IoTRuleEmu.AwsApi.CloudTrail;

/// <summary>
/// CloudTrail <c>LookupEvents</c> (JSON 1.1, lambda-async.md §4.4) over the records the emulator wrote to
/// <c>cloudtrail.jsonl</c> (all of them, also from earlier runs on the same data folder). Unlike AWS, which keeps data
/// events out of Event history, this returns the Lambda <c>Invoke</c>/<c>InvokeExecution</c> data events: a deliberate,
/// documented difference.
/// </summary>
public sealed class CloudTrailHandler(ICloudTrailLog log) : IAwsServiceHandler
{
    private const int MaxResults = 50;

    private static readonly string[] s_attributeKeys =
        ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"];

    public AwsServiceKind Service => AwsServiceKind.CloudTrail;

    public async ValueTask<bool> HandleAsync(AwsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != "POST" || request.Segments.Count != 0)
        {
            return false;
        }
        switch (request.OperationTarget)
        {
            case "LookupEvents":
                await LookupEventsAsync(request).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private async Task LookupEventsAsync(AwsRequest request)
    {
        var body = request.JsonBody(m => new AwsApiException("SerializationException", 400, m));

        string? key = null, value = null;
        if (body.TryGetProperty("LookupAttributes", out var attributes) && attributes.ValueKind != JsonValueKind.Null)
        {
            if (attributes.ValueKind != JsonValueKind.Array)
            {
                throw new AwsApiException("SerializationException", 400, "LookupAttributes must be a list.");
            }
            if (attributes.GetArrayLength() > 1)
            {
                throw new AwsApiException("InvalidLookupAttributesException", 400, "You cannot specify more than one lookup attribute.");
            }
            foreach (var attribute in attributes.EnumerateArray())
            {
                key = attribute.TryGetProperty("AttributeKey", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                value = attribute.TryGetProperty("AttributeValue", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (key is null || !s_attributeKeys.Contains(key))
                {
                    throw new AwsApiException("InvalidLookupAttributesException", 400,
                        $"Invalid attribute key '{key}'. Valid keys: {string.Join(", ", s_attributeKeys)}.");
                }
                if (string.IsNullOrEmpty(value))
                {
                    throw new AwsApiException("InvalidLookupAttributesException", 400, "The lookup attribute value must not be empty.");
                }
            }
        }

        var start = Time(body, "StartTime");
        var end = Time(body, "EndTime");
        if (start is not null && end is not null && start > end)
        {
            throw new AwsApiException("InvalidTimeRangeException", 400, "Start time must be before end time.");
        }

        var max = MaxResults;
        if (body.TryGetProperty("MaxResults", out var maxElement) && maxElement.ValueKind != JsonValueKind.Null)
        {
            if (maxElement.ValueKind != JsonValueKind.Number || !maxElement.TryGetInt32(out max) || max is < 1 or > MaxResults)
            {
                throw new AwsApiException("InvalidMaxResultsException", 400, $"MaxResults must be between 1 and {MaxResults}.");
            }
        }

        var insightOnly = false;
        if (body.TryGetProperty("EventCategory", out var category) && category.ValueKind != JsonValueKind.Null)
        {
            if (category.ValueKind != JsonValueKind.String || category.GetString() != "insight")
            {
                throw new AwsApiException("InvalidEventCategoryException", 400, "The only valid EventCategory is 'insight'.");
            }
            insightOnly = true; // the emulator records no Insights events
        }

        // Everything appended so far is in the file first.
        await log.FlushAsync(request.Context.RequestAborted).ConfigureAwait(false);
        // Newest first, as CloudTrail answers.
        var records = insightOnly
            ? []
            : CloudTrailFile.Read(log.FilePath)
                .Select((r, i) => (Record: r, Index: i))
                .Where(x => start is null || x.Record.EventTime >= start)
                .Where(x => end is null || x.Record.EventTime <= end)
                .Where(x => key is null || Matches(x.Record, key, value!))
                .OrderByDescending(x => x.Record.EventTime)
                .ThenByDescending(x => x.Index)
                .Select(x => x.Record)
                .ToList();

        var offset = 0;
        if (body.TryGetProperty("NextToken", out var tokenElement) && tokenElement.ValueKind == JsonValueKind.String && tokenElement.GetString() is { Length: > 0 } token)
        {
            var afterEventId = DecodeToken(token) ?? throw new AwsApiException("InvalidNextTokenException", 400, "Invalid NextToken.");
            var index = records.FindIndex(r => r.EventId == afterEventId);
            if (index < 0)
            {
                throw new AwsApiException("InvalidNextTokenException", 400, "The NextToken does not match this lookup (was the query changed?).");
            }
            offset = index + 1;
        }
        var page = records.Skip(offset).Take(max).ToList();
        var next = offset + page.Count < records.Count ? EncodeToken(page[^1].EventId) : null;

        await AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("Events");
            foreach (var record in page)
            {
                w.WriteStartObject();
                w.WriteString("EventId", record.EventId);
                w.WriteString("EventName", record.EventName);
                w.WriteString("ReadOnly", record.ReadOnly ? "true" : "false");
                w.WriteEpochSeconds("EventTime", record.EventTime);
                w.WriteString("EventSource", record.EventSource);
                w.WriteStartArray("Resources");
                foreach (var (type, arn) in record.Resources)
                {
                    w.WriteStartObject();
                    w.WriteString("ResourceType", type);
                    w.WriteString("ResourceName", arn);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("CloudTrailEvent", record.Json);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (next is not null)
            {
                w.WriteString("NextToken", next);
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static bool Matches(CloudTrailEventLine record, string key, string value) => key switch
    {
        "EventId" => record.EventId == value,
        "EventName" => record.EventName == value,
        "ReadOnly" => (record.ReadOnly ? "true" : "false") == value,
        "EventSource" => record.EventSource == value,
        "ResourceType" => record.Resources.Any(r => r.Type == value),
        "ResourceName" => record.Resources.Any(r => r.Arn == value),
        // Service-invoked records have no user name or access key.
        _ => false,
    };

    /// <summary>JSON 1.1 timestamps are epoch seconds; ISO strings are accepted too.</summary>
    private static DateTimeOffset? Time(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        }
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        throw new AwsApiException("SerializationException", 400, $"{name} must be a timestamp (epoch seconds).");
    }

    private static string EncodeToken(string eventId) => Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + eventId));

    private static string? DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("after:", StringComparison.Ordinal) ? text[6..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
