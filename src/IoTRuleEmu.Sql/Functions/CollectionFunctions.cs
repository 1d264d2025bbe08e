using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary><c>get</c>, <c>isNull</c>, <c>isUndefined</c>, <c>transform</c>, <c>nanvl</c>, <c>get_or_default</c>.</summary>
internal static class CollectionFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;

    /// <summary>The one mode <c>transform</c> knows.</summary>
    internal const string EnrichArray = "enrichArray";

    public static void Register(SqlFunctionTable t)
    {
        t.Add("get", 2, 2, V2015, static (a, _) => Get(a[0], a[1]));
        t.Add("isnull", 1, 1, V2015, static (a, _) => SqlValue.FromBool(a[0].IsNull));
        t.Add("isundefined", 1, 1, V2016, static (a, _) => SqlValue.FromBool(a[0].IsUndefined));
        t.Add("transform", 3, 3, V2016, static (a, _) => Transform(a[0], a[1], a[2]));
        t.Add("nanvl", 2, 2, V2015, static (a, _) => Nanvl(a[0], a[1]));
        t.Add("get_or_default", 1, 2, V2016, static (a, _) => a[0].Type is SqlType.Null or SqlType.Undefined
            ? (a.Length > 1 ? a[1] : SqlValue.Undefined)
            : a[0]);
    }

    /// <summary>
    /// <c>get(c, k)</c>: Array + index (implicitly converted to Int) → element; String + index → that one-character
    /// string (0-based); Object + String key → the attribute. Anything else, or out of range → Undefined.
    /// </summary>
    internal static SqlValue Get(SqlValue container, SqlValue key)
    {
        switch (container.Type)
        {
            case SqlType.Array:
                return TryIndex(key, out var index) ? container.GetElement(index) : SqlValue.Undefined;
            case SqlType.String:
                var s = container.AsString;
                return TryIndex(key, out var position) && position >= 0 && position < s.Length
                    ? SqlValue.FromString(s[position].ToString())
                    : SqlValue.Undefined;
            case SqlType.Object:
                return key.Type == SqlType.String ? container.GetMember(key.AsString) : SqlValue.Undefined;
            default:
                return SqlValue.Undefined;
        }
    }

    private static bool TryIndex(SqlValue key, out int index)
    {
        var converted = SqlConversions.ToInt(key);
        if (converted.Type != SqlType.Int || converted.IsBigInt || converted.AsLong < 0 || converted.AsLong > int.MaxValue)
        {
            index = -1;
            return false;
        }
        index = (int)converted.AsLong;
        return true;
    }

    /// <summary><c>nanvl(a, b)</c>: b when a is Undefined, Null or a NaN Decimal; otherwise a.</summary>
    private static SqlValue Nanvl(SqlValue a, SqlValue b) =>
        a.Type is SqlType.Undefined or SqlType.Null || (a.Type == SqlType.Decimal && double.IsNaN(a.AsDouble)) ? b : a;

    /// <summary>
    /// <c>transform('enrichArray', obj, arr)</c>: each object element of <paramref name="array"/> with the attributes of
    /// <paramref name="obj"/> added after its own (on a shared key obj's value wins, in the element's position).
    /// Another mode, a non-object <paramref name="obj"/>, a non-array <paramref name="array"/> or a non-object element → Undefined.
    /// </summary>
    private static SqlValue Transform(SqlValue mode, SqlValue obj, SqlValue array)
    {
        if (mode.Type != SqlType.String || !string.Equals(mode.AsString, EnrichArray, StringComparison.Ordinal)
            || obj.Type != SqlType.Object || array.Type != SqlType.Array)
        {
            return SqlValue.Undefined;
        }
        var result = new SqlArray(array.ArrayLength);
        foreach (var element in array.Elements)
        {
            if (element.Type != SqlType.Object)
            {
                return SqlValue.Undefined;
            }
            var merged = element.ToSqlObject();
            foreach (var member in obj.Members)
            {
                merged[member.Key] = member.Value;
            }
            result.Add(SqlValue.FromObject(merged));
        }
        return SqlValue.FromArray(result);
    }
}
