using System.Buffers;
using System.Globalization;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Iot;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Lambda.Invocations;
using Microsoft.AspNetCore.Http;

namespace IoTRuleEmu.AwsApi.Emulator;

/// <summary>
/// The emulator's own inspection endpoints: <c>GET /_emulator/rules</c> (every loaded rule with its origin and counters),
/// <c>GET /_emulator/rules/{name}</c>, and <c>GET /_emulator/invocations?limit=N&amp;functionName=F</c> (recent execution
/// attempts, newest first).
/// </summary>
public static class EmulatorEndpoints
{
    public const string RulesPath = "/_emulator/rules";
    public const string InvocationsPath = "/_emulator/invocations";

    public static Task WriteRulesAsync(HttpContext context, IRuleStore store, RuleOrigins origins)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(store);
        var rules = store.Current.Rules;
        return WriteAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", rules.Length);
            w.WriteStartArray("rules");
            foreach (var rule in rules)
            {
                WriteRule(w, rule, origins);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static Task WriteRuleAsync(HttpContext context, string name, IRuleStore store, RuleOrigins origins)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(store);
        if (store.Current.Find(name) is not { } rule)
        {
            return WriteAsync(context, 404, w =>
            {
                w.WriteStartObject();
                w.WriteString("message", $"No rule named '{name}' is loaded.");
                w.WriteEndObject();
            });
        }
        return WriteAsync(context, 200, w => WriteRule(w, rule, origins));
    }

    public static Task WriteInvocationsAsync(HttpContext context, IInvocationLog log)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(log);
        var limit = 100;
        if (context.Request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            return WriteAsync(context, 400, w =>
            {
                w.WriteStartObject();
                w.WriteString("message", "limit must be a positive integer.");
                w.WriteEndObject();
            });
        }
        var functionName = context.Request.Query["functionName"].ToString();
        var records = log.Snapshot()
            .Where(r => functionName.Length == 0 || r.FunctionName == functionName)
            .Reverse()
            .Take(limit)
            .ToList();
        return WriteAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", records.Count);
            w.WriteStartArray("invocations");
            foreach (var record in records)
            {
                using var doc = JsonDocument.Parse(record.ToJson());
                doc.RootElement.WriteTo(w);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteRule(Utf8JsonWriter w, CompiledRule rule, RuleOrigins origins)
    {
        var origin = origins.Of(rule);
        var counters = rule.Counters;
        w.WriteStartObject();
        w.WriteString("ruleName", rule.Name);
        w.WriteString("ruleArn", rule.Arn);
        w.WriteString("origin", origin.Kind switch
        {
            RuleOriginKind.Api => "api",
            RuleOriginKind.CloudFormation => "cloudformation",
            _ => "file",
        });
        w.WriteString("source", origin.Path ?? rule.Source);
        if (origin.Resource is not null)
        {
            w.WriteString("resource", origin.Resource);
        }
        w.WriteBoolean("enabled", !rule.Disabled);
        w.WriteString("sql", rule.Config.Sql);
        w.WriteString("awsIotSqlVersion", rule.Config.AwsIotSqlVersion ?? Sql.Runtime.SqlVersions.Default);
        if (rule.TopicFilter is null)
        {
            w.WriteNull("topicFilter");
        }
        else
        {
            w.WriteString("topicFilter", rule.TopicFilter);
        }
        w.WriteStartArray("actions");
        foreach (var action in rule.Config.Actions)
        {
            w.WriteStringValue(action.Key);
        }
        w.WriteEndArray();
        if (rule.Config.ErrorAction is { } errorAction)
        {
            w.WriteString("errorAction", errorAction.Key);
        }
        else
        {
            w.WriteNull("errorAction");
        }
        w.WriteStartObject("counters");
        w.WriteNumber("messagesMatched", counters.Matched);
        w.WriteNumber("sqlFailed", counters.SqlFailed);
        w.WriteNumber("actionsSucceeded", counters.ActionsSucceeded);
        w.WriteNumber("actionsFailed", counters.ActionsFailed);
        w.WriteNumber("actionsSkipped", counters.ActionsSkipped);
        w.WriteNumber("errorActionsRun", counters.ErrorActionsSucceeded + counters.ErrorActionsFailed);
        w.WriteNumber("errorActionsSucceeded", counters.ErrorActionsSucceeded);
        w.WriteNumber("errorActionsFailed", counters.ErrorActionsFailed);
        w.WriteEndObject();
        if (counters.LastError is { } error)
        {
            w.WriteStartObject("lastError");
            w.WriteString("time", error.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteString("topic", error.Topic);
            w.WriteString("traceId", error.TraceId);
            w.WriteString("message", error.Message);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("lastError");
        }
        w.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
