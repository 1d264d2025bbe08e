using System.Globalization;
using System.Text.Json;
using IoTRuleEmu.Engine.Audit;

namespace IoTRuleEmu.Lambda.CloudTrail;

/// <summary>Writes <see cref="CloudTrailRecord"/>s as compact JSON with CloudTrail's field names and order.</summary>
public static class CloudTrailJson
{
    /// <summary><c>2019-01-24T05:20:38Z</c></summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static byte[] Serialize(CloudTrailRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonLine.Serialize(record, Write);
    }

    public static void Write(Utf8JsonWriter writer, CloudTrailRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("eventVersion", record.EventVersion);
        writer.WriteStartObject("userIdentity");
        writer.WriteString("type", record.UserIdentity.Type);
        writer.WriteString("invokedBy", record.UserIdentity.InvokedBy);
        writer.WriteEndObject();
        writer.WriteString("eventTime", FormatTime(record.EventTime));
        writer.WriteString("eventSource", record.EventSource);
        writer.WriteString("eventName", record.EventName);
        writer.WriteString("awsRegion", record.AwsRegion);
        writer.WriteString("sourceIPAddress", record.SourceIpAddress);
        writer.WriteString("userAgent", record.UserAgent);
        if (record.RequestParameters is { } parameters)
        {
            writer.WriteStartObject("requestParameters");
            writer.WriteString("functionName", parameters.FunctionName);
            writer.WriteString("invocationType", parameters.InvocationType);
            if (parameters.SourceArn is not null)
            {
                writer.WriteString("sourceArn", parameters.SourceArn);
            }
            if (parameters.SourceAccount is not null)
            {
                writer.WriteString("sourceAccount", parameters.SourceAccount);
            }
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("requestParameters");
        }
        writer.WriteNull("responseElements");
        writer.WriteStartObject("additionalEventData");
        writer.WriteString("functionVersion", record.FunctionVersion);
        writer.WriteEndObject();
        writer.WriteString("requestID", record.RequestId);
        writer.WriteString("eventID", record.EventId);
        writer.WriteBoolean("readOnly", record.ReadOnly);
        writer.WriteStartArray("resources");
        foreach (var resource in record.Resources)
        {
            writer.WriteStartObject();
            writer.WriteString("accountId", resource.AccountId);
            writer.WriteString("type", resource.Type);
            writer.WriteString("ARN", resource.Arn);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("eventType", record.EventType);
        writer.WriteBoolean("managementEvent", record.ManagementEvent);
        writer.WriteString("recipientAccountId", record.RecipientAccountId);
        writer.WriteString("eventCategory", record.EventCategory);
        writer.WriteEndObject();
    }
}
