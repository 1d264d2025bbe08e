using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.AwsApi.Iot;

/// <summary>
/// The AWS IoT topic-rule operations (iot-sql.md §9.1): Create, Get, List, Replace, Delete, Enable, Disable. API rules
/// are persisted by <see cref="ApiRuleRepository"/>; rules from rule files and templates are listed and readable but
/// cannot be changed here.
/// </summary>
public sealed class IotHandler : IAwsServiceHandler
{
    private const int MaxListResults = 10_000;

    private readonly IRuleStore _store;
    private readonly ApiRuleRepository _repository;
    private readonly RuleOrigins _origins;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private readonly AwsApiOptions _options;

    public IotHandler(IRuleStore store, ApiRuleRepository repository, RuleOrigins origins, TimeProvider time, Microsoft.Extensions.Options.IOptions<AwsApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _store = store;
        _repository = repository;
        _origins = origins;
        _time = time;
    }

    public AwsServiceKind Service => AwsServiceKind.Iot;

    public async ValueTask<bool> HandleAsync(AwsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var s = request.Segments;
        if (s.Count == 0 || s[0] != "rules")
        {
            return false;
        }
        switch (s.Count, request.Method)
        {
            case (1, "GET"):
                await ListTopicRulesAsync(request).ConfigureAwait(false);
                return true;
            case (2, "GET"):
                await GetTopicRuleAsync(request, s[1]).ConfigureAwait(false);
                return true;
            case (2, "POST"):
                await WriteAsync(request, () => CreateTopicRule(request, s[1])).ConfigureAwait(false);
                return true;
            case (2, "PATCH"):
                await WriteAsync(request, () => ReplaceTopicRule(request, s[1])).ConfigureAwait(false);
                return true;
            case (2, "DELETE"):
                await WriteAsync(request, () => DeleteTopicRule(s[1])).ConfigureAwait(false);
                return true;
            case (3, "POST") when s[2] is "enable" or "disable":
                await WriteAsync(request, () => SetEnabled(s[1], s[2] == "enable")).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private async Task WriteAsync(AwsRequest request, Action operation)
    {
        await _writeLock.WaitAsync(request.Aborted).ConfigureAwait(false);
        try
        {
            operation();
        }
        finally
        {
            _writeLock.Release();
        }
        await AwsResponses.WriteEmptyAsync(request, 200).ConfigureAwait(false);
    }

    // ---- operations ----

    private void CreateTopicRule(AwsRequest request, string ruleName)
    {
        ValidateRuleName(ruleName);
        var arn = ArnOf(ruleName);
        if (_store.Current.Find(ruleName) is not null || _origins.Known.ContainsKey(ruleName))
        {
            throw new AwsApiException("ResourceAlreadyExistsException", 409, "Rule with given name already exists",
                extra: new Dictionary<string, string> { ["resourceId"] = ruleName, ["resourceArn"] = arn });
        }
        var (payload, json) = ReadPayload(request);
        var createdAt = _time.GetUtcNow();
        Put(ruleName, payload);
        _repository.Save(new ApiRuleRecord(ruleName, createdAt, json));
        _origins.Set(ruleName, new RuleOrigin(RuleOriginKind.Api, _repository.PathOf(ruleName), null, createdAt));
    }

    private void ReplaceTopicRule(AwsRequest request, string ruleName)
    {
        ValidateRuleName(ruleName);
        var origin = RequireApiRule(ruleName);
        var (payload, json) = ReadPayload(request);
        Put(ruleName, payload);
        _repository.Save(new ApiRuleRecord(ruleName, origin.CreatedAt, json));
    }

    private void DeleteTopicRule(string ruleName)
    {
        ValidateRuleName(ruleName);
        RequireApiRule(ruleName);
        _store.Remove(ruleName);
        _repository.Delete(ruleName);
        _origins.Remove(ruleName);
    }

    private void SetEnabled(string ruleName, bool enabled)
    {
        ValidateRuleName(ruleName);
        var origin = RequireApiRule(ruleName);
        _store.SetEnabled(ruleName, enabled);
        var path = _repository.PathOf(ruleName);
        var json = (File.Exists(path) ? JsonNode.Parse(File.ReadAllBytes(path))?["topicRulePayload"] as JsonObject : null)?.DeepClone() as JsonObject
            ?? new JsonObject();
        json["ruleDisabled"] = !enabled;
        _repository.Save(new ApiRuleRecord(ruleName, origin.CreatedAt, json));
    }

    private Task GetTopicRuleAsync(AwsRequest request, string ruleName)
    {
        ValidateRuleName(ruleName);
        var rule = _store.Current.Find(ruleName) ?? throw AccessDenied(ruleName);
        var origin = _origins.Of(rule);
        return AwsResponses.WriteJsonAsync(request, 200, w => TopicRuleJson.WriteGetResponse(w, rule, origin.CreatedAt));
    }

    private Task ListTopicRulesAsync(AwsRequest request)
    {
        var topic = request.QueryValue("topic");
        var maxResults = MaxListResults;
        if (request.QueryValue("maxResults") is { } maxText)
        {
            if (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxResults) || maxResults < 1 || maxResults > MaxListResults)
            {
                throw Invalid(maxResults < 1
                    ? $"1 validation error detected: Value '{maxText}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
                    : $"1 validation error detected: Value '{maxText}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {MaxListResults}");
            }
        }
        bool? disabled = null;
        if (request.QueryValue("ruleDisabled") is { } disabledText)
        {
            disabled = disabledText.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw Invalid($"Invalid value '{disabledText}' for ruleDisabled: expected true or false."),
            };
        }
        string? after = null;
        if (request.QueryValue("nextToken") is { Length: > 0 } token)
        {
            after = DecodeToken(token) ?? throw Invalid("The nextToken is invalid.");
        }

        var matching = _store.Current.Rules
            .Where(r => topic is null || string.Equals(r.TopicFilter, topic, StringComparison.Ordinal))
            .Where(r => disabled is null || r.Disabled == disabled)
            .Where(r => after is null || string.CompareOrdinal(r.Name, after) > 0)
            .ToList();
        var page = matching.Take(maxResults).ToList();
        var next = matching.Count > page.Count ? EncodeToken(page[^1].Name) : null;
        return AwsResponses.WriteJsonAsync(request, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("rules");
            foreach (var rule in page)
            {
                TopicRuleJson.WriteListItem(w, rule, _origins.Of(rule).CreatedAt);
            }
            w.WriteEndArray();
            if (next is not null)
            {
                w.WriteString("nextToken", next);
            }
            w.WriteEndObject();
        });
    }

    // ---- helpers ----

    private (TopicRulePayload Payload, JsonObject Json) ReadPayload(AwsRequest request)
    {
        var root = request.JsonBody(Invalid);
        if (root.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array && actions.GetArrayLength() > TopicRulePayloadParser.MaxActions)
        {
            throw Invalid($"1 validation error detected: Value '[{actions.GetArrayLength()} actions]' at 'topicRulePayload.actions' failed to satisfy constraint: Member must have length less than or equal to {TopicRulePayloadParser.MaxActions}");
        }
        if (!TopicRulePayloadParser.TryParse(request.Body, "topicRulePayload", out var payload, out var errors))
        {
            throw Invalid(Describe(errors));
        }
        CompileSql(payload!);
        return (payload!, (JsonObject)JsonNode.Parse(root.GetRawText())!);
    }

    /// <summary>Compiles the SQL so a syntax error is answered as AWS does: <c>SqlParseException</c> naming the position.</summary>
    internal static void CompileSql(TopicRulePayload payload)
    {
        var version = SqlVersions.TryParse(payload.AwsIotSqlVersion, out var v) ? v : SqlVersion.V2015_10_08;
        try
        {
            SqlStatement.Compile(payload.Sql, version);
        }
        catch (SqlParseException ex)
        {
            throw new AwsApiException("SqlParseException", 400, ex.Message);
        }
    }

    private void Put(string ruleName, TopicRulePayload payload)
    {
        var report = _store.Put(ruleName, payload, _repository.PathOf(ruleName));
        if (!report.Succeeded)
        {
            var sqlError = report.Errors.FirstOrDefault(e => e.Path == "sql" && e.Message.StartsWith("SqlParseException: ", StringComparison.Ordinal));
            if (sqlError is not null)
            {
                throw new AwsApiException("SqlParseException", 400, sqlError.Message["SqlParseException: ".Length..]);
            }
            throw Invalid(Describe(report.Errors));
        }
    }

    private RuleOrigin RequireApiRule(string ruleName)
    {
        var rule = _store.Current.Find(ruleName);
        var known = _origins.Known.TryGetValue(ruleName, out var origin);
        if (rule is null && !known)
        {
            throw AccessDenied(ruleName);
        }
        origin ??= _origins.Of(rule!);
        return origin.Kind switch
        {
            RuleOriginKind.Api => origin,
            RuleOriginKind.CloudFormation => throw Invalid(
                $"Rule '{ruleName}' is defined by the CloudFormation template '{origin.Path}' (resource {origin.Resource}); change the template and restart the emulator instead."),
            _ => throw Invalid(
                $"Rule '{ruleName}' is defined by the rule file '{origin.Path}'; edit or delete that file instead (rules from --rules files cannot be changed through the API)."),
        };
    }

    private static void ValidateRuleName(string ruleName)
    {
        if (ruleName.Length > RuleNames.MaxLength)
        {
            throw Invalid($"1 validation error detected: Value '{ruleName}' at 'ruleName' failed to satisfy constraint: Member must have length less than or equal to {RuleNames.MaxLength}");
        }
        if (!RuleNames.IsValid(ruleName))
        {
            throw Invalid($"1 validation error detected: Value '{ruleName}' at 'ruleName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_]+$");
        }
    }

    private string ArnOf(string ruleName) => Engine.AwsArns.Rule(_options.Region, _options.AccountId, ruleName);

    private static string Describe(IReadOnlyList<RuleConfigError> errors) =>
        string.Join(" ", errors.Select(e =>
            (e.Path is null ? "" : $"{e.Path}: ") + e.Message + (e.Line is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (line {e.Line}, column {e.Column})"))));

    private static string EncodeToken(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + lastName));

    private static string? DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("after:", StringComparison.Ordinal) ? text["after:".Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static AwsApiException Invalid(string message) => new("InvalidRequestException", 400, message);

    /// <summary>AWS's answer for a rule that does not exist (iot-sql.md §9.1).</summary>
    internal static AwsApiException AccessDenied(string ruleName) =>
        new("UnauthorizedException", 401, $"Access to topic rule '{ruleName}' was denied");
}
