using System.Globalization;
using System.Numerics;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// The implicit conversions of iot-sql-data-types ("Conversions"), used when a function or operator receives
/// another type than it wants. No implicit conversion ever produces an Array, Object, Null or Undefined from
/// another type, except that Null converts to Null for the numeric targets.
/// </summary>
public static class SqlConversions
{
    /// <summary>Implicit conversion to Decimal. Int→same value; String matching <c>^-?\d+(\.\d+)?((?i)E-?\d+)?$</c>→parsed; Null→Null; else Undefined.</summary>
    public static SqlValue ToDecimal(SqlValue value) => value.Type switch
    {
        SqlType.Decimal => value,
        SqlType.Int => SqlValue.FromDecimal(value.AsDouble),
        SqlType.String => TryParseNumericString(value.AsString, out var d) ? SqlValue.FromDecimal(d) : SqlValue.Undefined,
        SqlType.Null => SqlValue.Null,
        _ => SqlValue.Undefined,
    };

    /// <summary>
    /// Implicit conversion to Int. Decimal→rounded to the nearest Int (half away from zero);
    /// String→parsed as Decimal, then truncated; Null→Null; else Undefined.
    /// </summary>
    public static SqlValue ToInt(SqlValue value) => value.Type switch
    {
        SqlType.Int => value,
        SqlType.Decimal => FromWholeDouble(Math.Round(value.AsDouble, MidpointRounding.AwayFromZero)),
        SqlType.String => TryParseNumericString(value.AsString, out var d) ? FromWholeDouble(Math.Truncate(d)) : SqlValue.Undefined,
        SqlType.Null => SqlValue.Null,
        _ => SqlValue.Undefined,
    };

    /// <summary>Implicit conversion to Boolean: Boolean itself, the strings "true"/"false" (any case); else Undefined.</summary>
    public static SqlValue ToBoolean(SqlValue value) => value.Type switch
    {
        SqlType.Boolean => value,
        SqlType.String when string.Equals(value.AsString, "true", StringComparison.OrdinalIgnoreCase) => SqlValue.True,
        SqlType.String when string.Equals(value.AsString, "false", StringComparison.OrdinalIgnoreCase) => SqlValue.False,
        _ => SqlValue.Undefined,
    };

    /// <summary>
    /// Implicit conversion to String: numbers as text, booleans as "true"/"false", arrays and objects as compact JSON;
    /// Null and Undefined → Undefined.
    /// </summary>
    public static SqlValue ToStringValue(SqlValue value, SqlVersion version) => value.Type switch
    {
        SqlType.String => value,
        SqlType.Null or SqlType.Undefined => SqlValue.Undefined,
        _ => SqlValue.FromString(ToText(value, version)),
    };

    /// <summary>The text of a defined, non-Null value as the String conversion produces it (null for Null/Undefined).</summary>
    public static string? ToText(SqlValue value, SqlVersion version) => value.Type switch
    {
        SqlType.String => value.AsString,
        SqlType.Int => value.IsBigInt ? SqlNumberFormat.FormatInt(value.AsBigInteger) : SqlNumberFormat.FormatInt(value.AsLong),
        SqlType.Decimal => SqlNumberFormat.FormatDecimal(value.AsDouble, version),
        SqlType.Boolean => value.AsBool ? "true" : "false",
        SqlType.Array or SqlType.Object => SqlJson.Serialize(value, version),
        SqlType.Binary => System.Text.Encoding.UTF8.GetString(value.AsBinary.Span),
        _ => null,
    };

    /// <summary>Converts a whole double to an Int (64-bit, BigInteger, or Decimal beyond 34 digits).</summary>
    public static SqlValue FromWholeDouble(double whole)
    {
        if (!double.IsFinite(whole))
        {
            return SqlValue.Undefined;
        }
        if (whole >= -9.2e18 && whole <= 9.2e18)
        {
            return SqlValue.FromInt((long)whole);
        }
        return SqlValue.FromInt(new BigInteger(whole));
    }

    /// <summary>AWS's numeric-string rule: <c>^-?\d+(\.\d+)?((?i)E-?\d+)?$</c>; rejects "+5", ".5", "5.", "1e+5", padding.</summary>
    public static bool TryParseNumericString(string text, out double value)
    {
        value = 0;
        var s = text.AsSpan();
        var i = 0;
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }
        var digitsStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        if (i == digitsStart)
        {
            return false;
        }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var fracStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            if (i == fracStart)
            {
                return false;
            }
        }
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && s[i] == '-')
            {
                i++;
            }
            var expStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            if (i == expStart)
            {
                return false;
            }
        }
        if (i != s.Length)
        {
            return false;
        }
        value = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value);
    }

    /// <summary>
    /// Argument rule "num-conv" of the function reference: Int and Decimal as they are, numeric Strings as Decimal;
    /// everything else (Boolean, Null, Undefined, Array, Object) → Undefined.
    /// </summary>
    public static SqlValue ToNumber(SqlValue value) => value.Type switch
    {
        SqlType.Int or SqlType.Decimal => value,
        SqlType.String => TryParseNumericString(value.AsString, out var d) ? SqlValue.FromDecimal(d) : SqlValue.Undefined,
        _ => SqlValue.Undefined,
    };
}
