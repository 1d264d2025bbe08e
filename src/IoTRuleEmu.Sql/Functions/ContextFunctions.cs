using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// The functions that read the message context: <c>topic</c>, <c>clientid</c>, <c>principal</c>, <c>accountid</c>,
/// <c>traceid</c>, <c>sourceip</c>, MQTT 5 properties, <c>sql_version</c>, and the random
/// <c>newuuid</c>. All are <see cref="SqlFunctionFlags.Volatile"/>: their result depends on the message (or on chance),
/// so they must never be folded into a constant when the SQL is compiled.
/// </summary>
internal static class ContextFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;
    private const SqlFunctionFlags Volatile = SqlFunctionFlags.Volatile;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("topic", 0, 1, V2015, Topic, Volatile);
        t.Add("clientid", 0, 0, V2015, static (_, c) => SqlValue.FromString(c.Message.ClientId ?? "n/a"), Volatile);
        t.Add("principal", 0, 0, V2015, static (_, c) => SqlValue.FromString(c.Message.Principal), Volatile);
        t.Add("accountid", 0, 0, V2015, static (_, c) => SqlValue.FromString(c.Message.AccountId), Volatile);
        t.Add("traceid", 0, 0, V2015, static (_, c) => SqlValue.FromString(c.Message.TraceId), Volatile);
        t.Add("sourceip", 0, 0, V2016, static (_, c) => SqlValue.FromString(c.Message.SourceIp), Volatile);
        t.Add("get_mqtt_property", 1, 1, V2016, static (a, c) => MqttProperty(a[0], c.Message.Properties), Volatile);
        t.Add("get_user_properties", 0, 1, V2016, UserProperties, Volatile);
        t.Add("sql_version", 0, 0, V2015, static (_, c) => SqlValue.FromString(c.Version.ToText()), Volatile);
        t.Add("newuuid", 0, 0, V2015, static (_, _) => SqlValue.FromString(Guid.NewGuid().ToString("D")), Volatile);
    }

    /// <summary><c>topic()</c>: the whole topic; <c>topic(n)</c>: its 1-based level n (converted to Int), Undefined when absent.</summary>
    private static SqlValue Topic(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var topic = context.Message.Topic;
        if (args.Length == 0)
        {
            return SqlValue.FromString(topic);
        }
        var n = SqlConversions.ToInt(args[0]);
        if (n.Type != SqlType.Int || n.IsBigInt || n.AsLong < 1)
        {
            return SqlValue.Undefined;
        }
        var wanted = n.AsLong;
        var level = 1L;
        var start = 0;
        for (var i = 0; i <= topic.Length; i++)
        {
            if (i == topic.Length || topic[i] == '/')
            {
                if (level == wanted)
                {
                    return SqlValue.FromString(topic[start..i]);
                }
                level++;
                start = i + 1;
            }
        }
        return SqlValue.Undefined;
    }

    /// <summary>
    /// <c>get_mqtt_property(name)</c>: <c>content_type</c>, <c>format_indicator</c> (<c>UNSPECIFIED_BYTES</c> or
    /// <c>UTF8_DATA</c>), <c>response_topic</c>, <c>correlation_data</c> (base64). Absent or unknown → Undefined.
    /// </summary>
    private static SqlValue MqttProperty(SqlValue name, MqttProperties? properties)
    {
        if (name.Type != SqlType.String || properties is null)
        {
            return SqlValue.Undefined;
        }
        switch (name.AsString)
        {
            case "content_type":
                return SqlValue.FromString(properties.ContentType);
            case "format_indicator":
                return properties.PayloadIsUtf8 is { } utf8 ? SqlValue.FromString(utf8 ? "UTF8_DATA" : "UNSPECIFIED_BYTES") : SqlValue.Undefined;
            case "response_topic":
                return SqlValue.FromString(properties.ResponseTopic);
            case "correlation_data":
                return properties.CorrelationData is { } data ? SqlValue.FromString(Convert.ToBase64String(data.Span)) : SqlValue.Undefined;
            default:
                return SqlValue.Undefined;
        }
    }

    /// <summary>
    /// <c>get_user_properties(key)</c>: array of every value of that key (keys may repeat), Undefined when there is none.
    /// <c>get_user_properties()</c>: every pair as a one-key object, in order; Undefined when there is none.
    /// </summary>
    private static SqlValue UserProperties(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var pairs = context.Message.Properties?.UserProperties;
        if (pairs is null || pairs.Count == 0)
        {
            return SqlValue.Undefined;
        }
        if (args.Length == 0)
        {
            var all = new SqlArray(pairs.Count);
            foreach (var pair in pairs)
            {
                var obj = new SqlObject(1);
                obj[pair.Key] = SqlValue.FromString(pair.Value);
                all.Add(SqlValue.FromObject(obj));
            }
            return SqlValue.FromArray(all);
        }
        if (args[0].Type != SqlType.String)
        {
            return SqlValue.Undefined;
        }
        var key = args[0].AsString;
        SqlArray? values = null;
        foreach (var pair in pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                (values ??= new SqlArray(2)).Add(SqlValue.FromString(pair.Value));
            }
        }
        return values is null ? SqlValue.Undefined : SqlValue.FromArray(values);
    }
}
