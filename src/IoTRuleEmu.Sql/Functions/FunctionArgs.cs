using System.Numerics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>The argument conversions the function reference names ("str-conv", "num-conv", "rounded down").</summary>
internal static class FunctionArgs
{
    /// <summary>"str-conv": the String conversion of §2.3; false for Null and Undefined.</summary>
    public static bool TryString(SqlValue value, SqlVersion version, out string text)
    {
        if (value.Type == SqlType.String)
        {
            text = value.AsString;
            return true;
        }
        text = SqlConversions.ToText(value, version)!;
        return text is not null;
    }

    /// <summary>"num-conv" as a double: Int, Decimal, numeric String; false otherwise.</summary>
    public static bool TryDouble(SqlValue value, out double result)
    {
        switch (value.Type)
        {
            case SqlType.Int:
            case SqlType.Decimal:
                result = value.AsDouble;
                return true;
            case SqlType.String:
                return SqlConversions.TryParseNumericString(value.AsString, out result);
            default:
                result = 0;
                return false;
        }
    }

    /// <summary>
    /// An integer argument that the reference says is "rounded down": Int as is, Decimal and numeric String floored.
    /// The result is a double so callers can clamp huge values (<c>substring(false, -2.411E247)</c>) before narrowing.
    /// </summary>
    public static bool TryFloor(SqlValue value, out double result)
    {
        if (!TryDouble(value, out result))
        {
            return false;
        }
        if (value.Type != SqlType.Int)
        {
            result = Math.Floor(result);
        }
        return true;
    }

    /// <summary>Like <see cref="TryFloor"/> but clamped into [min, max] and narrowed to an int.</summary>
    public static bool TryFloorClamped(SqlValue value, int min, int max, out int result)
    {
        if (!TryFloor(value, out var d))
        {
            result = 0;
            return false;
        }
        result = d <= min ? min : d >= max ? max : (int)d;
        return true;
    }

    /// <summary>An exact integer "rounded down" (bit functions): big Ints and huge Decimals as BigInteger.</summary>
    public static bool TryFloorInteger(SqlValue value, out long small, out BigInteger big, out bool isBig)
    {
        small = 0;
        big = default;
        isBig = false;
        if (value.Type == SqlType.Int)
        {
            if (value.IsBigInt)
            {
                big = value.AsBigInteger;
                isBig = true;
            }
            else
            {
                small = value.AsLong;
            }
            return true;
        }
        if (!TryFloor(value, out var d))
        {
            return false;
        }
        if (d >= -9.2e18 && d <= 9.2e18)
        {
            small = (long)d;
        }
        else
        {
            big = new BigInteger(d);
            isBig = true;
        }
        return true;
    }
}
