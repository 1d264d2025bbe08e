using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.Iot;

/// <summary>A rule created through the API, as persisted: its name, creation time and TopicRulePayload JSON.</summary>
public sealed record ApiRuleRecord(string RuleName, DateTimeOffset CreatedAt, JsonObject Payload);

/// <summary>
/// Persists rules created through the API, one file per rule: <c>&lt;data&gt;/api-rules/&lt;ruleName&gt;.json</c> =
/// <c>{"ruleName","createdAt","topicRulePayload":{…}}</c>. Files are replaced atomically (write then rename).
/// </summary>
public sealed partial class ApiRuleRepository
{
    public const string FolderName = "api-rules";

    private readonly ILogger _logger;

    public ApiRuleRepository(IOptions<AwsApiOptions> options, ILogger<ApiRuleRepository> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, FolderName));
        _logger = logger;
    }

    /// <summary>The folder holding the rule files.</summary>
    public string Directory { get; }

    public string PathOf(string ruleName) => Path.Combine(Directory, ruleName + ".json");

    public void Save(ApiRuleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        System.IO.Directory.CreateDirectory(Directory);
        var document = new JsonObject
        {
            ["ruleName"] = record.RuleName,
            ["createdAt"] = record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["topicRulePayload"] = record.Payload.DeepClone(),
        };
        var path = PathOf(record.RuleName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    public void Delete(string ruleName)
    {
        var path = PathOf(ruleName);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Every persisted rule; unreadable files are logged and skipped.</summary>
    public IReadOnlyList<ApiRuleRecord> LoadAll()
    {
        var records = new List<ApiRuleRecord>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return records;
        }
        var files = System.IO.Directory.GetFiles(Directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                var node = JsonNode.Parse(File.ReadAllBytes(file)) as JsonObject
                    ?? throw new JsonException("expected a JSON object");
                var name = node["ruleName"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(file);
                var created = DateTimeOffset.Parse(node["createdAt"]?.GetValue<string>() ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                var payload = node["topicRulePayload"] as JsonObject ?? throw new JsonException("missing topicRulePayload");
                records.Add(new ApiRuleRecord(name, created, (JsonObject)payload.DeepClone()));
            }
            catch (Exception ex) when (ex is JsonException or IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
            {
                Log.Unreadable(_logger, file, ex.Message);
            }
        }
        return records;
    }

    private static partial class Log
    {
        [LoggerMessage(AwsApiEventIds.StateReadFailed, LogLevel.Error, "Persisted API rule {Path} cannot be read and is skipped: {Reason}")]
        public static partial void Unreadable(ILogger logger, string path, string reason);
    }
}
