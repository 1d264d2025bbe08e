using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IoTRuleEmu.AwsApi.CloudTrail;

/// <summary>One record of <c>cloudtrail.jsonl</c>: the fields LookupEvents filters and answers with, and the line itself.</summary>
internal sealed record CloudTrailEventLine(
    string EventId, string EventName, bool ReadOnly, DateTimeOffset EventTime, string EventSource,
    IReadOnlyList<(string Type, string Arn)> Resources, string Json);

/// <summary>
/// Reads <c>&lt;data&gt;/cloudtrail.jsonl</c>, the whole history (also from earlier runs on the same data folder), so that
/// LookupEvents needs no records kept in memory. Lines that are not CloudTrail records are skipped.
/// </summary>
internal static class CloudTrailFile
{
    public static List<CloudTrailEventLine> Read(string path)
    {
        var events = new List<CloudTrailEventLine>();
        if (!File.Exists(path))
        {
            return events;
        }
        // Shared: the emulator's writer keeps the file open for appending.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        while (reader.ReadLine() is { } line)
        {
            if (Parse(line) is { } e)
            {
                events.Add(e);
            }
        }
        return events;
    }

    private static CloudTrailEventLine? Parse(string line)
    {
        if (line.Length == 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("eventID", out var id) || id.GetString() is not { } eventId
                || !root.TryGetProperty("eventName", out var name) || name.GetString() is not { } eventName
                || !root.TryGetProperty("eventTime", out var time)
                || !DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var eventTime))
            {
                return null;
            }
            var resources = new List<(string, string)>();
            if (root.TryGetProperty("resources", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var resource in list.EnumerateArray())
                {
                    if (resource.TryGetProperty("type", out var type) && resource.TryGetProperty("ARN", out var arn))
                    {
                        resources.Add((type.GetString() ?? "", arn.GetString() ?? ""));
                    }
                }
            }
            var readOnly = root.TryGetProperty("readOnly", out var ro) && ro.ValueKind == JsonValueKind.True;
            var source = root.TryGetProperty("eventSource", out var s) ? s.GetString() ?? "" : "";
            return new CloudTrailEventLine(eventId, eventName, readOnly, eventTime, source, resources, line);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
