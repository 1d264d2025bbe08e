using IoTRuleEmu.Sql.Runtime;
using NodaTime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary><c>timestamp()</c>, <c>parse_time(pattern, epochMillis[, zone])</c>, <c>time_to_epoch(text, pattern)</c>.</summary>
internal static class TimeFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;

    private static readonly long MinMillis = Instant.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMillis = Instant.MaxValue.ToUnixTimeMilliseconds();

    public static void Register(SqlFunctionTable t)
    {
        // The time the rules engine received the message: fixed per message, so never folded at compile time.
        t.Add("timestamp", 0, 0, V2015, static (_, c) => SqlValue.FromInt(c.Message.TimestampMs), SqlFunctionFlags.Volatile);
        t.Add("parse_time", 2, 3, V2016, ParseTime);
        t.Add("time_to_epoch", 2, 2, V2016, TimeToEpoch);
    }

    /// <summary>
    /// <c>parse_time(pattern, epochMillis[, zone])</c>: the instant formatted with a Joda-Time pattern in a Joda zone
    /// (default UTC). epochMillis is num-conv (a fraction is rounded down). A bad pattern or zone → Undefined.
    /// </summary>
    private static SqlValue ParseTime(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var version = context.Version;
        if (!FunctionArgs.TryString(args[0], version, out var pattern)
            || !FunctionArgs.TryFloor(args[1], out var millis)
            || millis < MinMillis || millis > MaxMillis)
        {
            return SqlValue.Undefined;
        }
        var zoneId = "UTC";
        if (args.Length > 2 && !FunctionArgs.TryString(args[2], version, out zoneId))
        {
            return SqlValue.Undefined;
        }
        if (TimeZoneNames.ForJodaId(zoneId) is not { } zone || JodaTimeFormat.Get(pattern) is not { } format)
        {
            return SqlValue.Undefined;
        }
        var instant = args[1].Type == SqlType.Int && !args[1].IsBigInt
            ? Instant.FromUnixTimeMilliseconds(args[1].AsLong)
            : Instant.FromUnixTimeMilliseconds((long)millis);
        return SqlValue.FromString(format.Format(instant, zone));
    }

    /// <summary>
    /// <c>time_to_epoch(text, pattern)</c>: epoch milliseconds of text parsed with a JDK 11 <c>DateTimeFormatter</c>
    /// pattern (UTC when the text has no zone). Text that does not parse → Undefined.
    /// </summary>
    private static SqlValue TimeToEpoch(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var text)
            || !FunctionArgs.TryString(args[1], context.Version, out var pattern)
            || JdkTimeParser.Get(pattern) is not { } parser)
        {
            return SqlValue.Undefined;
        }
        return parser.ParseToEpochMillis(text) is { } millis ? SqlValue.FromInt(millis) : SqlValue.Undefined;
    }
}
