using System.Globalization;
using System.Numerics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>The math functions (iot-sql-functions): every argument is "num-conv" unless said otherwise.</summary>
internal static class MathFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("abs", 1, 1, V2015, Abs);
        t.Add("acos", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Acos));
        t.Add("asin", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Asin));
        t.Add("atan", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Atan));
        t.Add("atan2", 2, 2, V2015, static (a, _) => Binary(a[0], a[1], Math.Atan2));
        t.Add("ceil", 1, 1, V2015, static (a, _) => ToWhole(a[0], Math.Ceiling));
        t.Add("floor", 1, 1, V2015, static (a, _) => ToWhole(a[0], Math.Floor));
        t.Add("round", 1, 1, V2015, static (a, _) => ToWhole(a[0], static d => Math.Round(d, MidpointRounding.AwayFromZero)));
        t.Add("trunc", 2, 2, V2015, Trunc);
        t.Add("sign", 1, 1, V2015, Sign);
        t.Add("sqrt", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Sqrt));
        t.Add("exp", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Exp));
        t.Add("ln", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Log));
        t.Add("log", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Log10));
        t.Add("power", 2, 2, V2015, static (a, _) => Binary(a[0], a[1], Math.Pow));
        t.Add("sin", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Sin));
        t.Add("cos", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Cos));
        t.Add("tan", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Tan));
        t.Add("sinh", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Sinh));
        t.Add("cosh", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Cosh));
        t.Add("tanh", 1, 1, V2015, static (a, _) => Unary(a[0], Math.Tanh));
        t.Add("mod", 2, 2, V2015, static (a, _) => Remainder(a[0], a[1]));
        t.Add("remainder", 2, 2, V2015, static (a, _) => Remainder(a[0], a[1]));
        t.Add("rand", 0, 0, V2015, static (_, _) => SqlValue.FromDecimal(Random.Shared.NextDouble()), SqlFunctionFlags.Volatile);
        t.Add("bitand", 2, 2, V2015, static (a, _) => Bitwise(a[0], a[1], BitOp.And));
        t.Add("bitor", 2, 2, V2015, static (a, _) => Bitwise(a[0], a[1], BitOp.Or));
        t.Add("bitxor", 2, 2, V2015, static (a, _) => Bitwise(a[0], a[1], BitOp.Xor));
        t.Add("bitnot", 1, 1, V2015, static (a, _) => BitNot(a[0]));
    }

    /// <summary>A double function of one num-conv argument; NaN and infinities (imaginary or overflowing results) → Undefined.</summary>
    private static SqlValue Unary(SqlValue x, Func<double, double> f) =>
        FunctionArgs.TryDouble(x, out var d) ? SqlValue.FromDecimal(f(d)) : SqlValue.Undefined;

    private static SqlValue Binary(SqlValue x, SqlValue y, Func<double, double, double> f) =>
        FunctionArgs.TryDouble(x, out var a) && FunctionArgs.TryDouble(y, out var b) ? SqlValue.FromDecimal(f(a, b)) : SqlValue.Undefined;

    /// <summary><c>abs</c>: Int → Int, Decimal → Decimal, numeric String → Decimal.</summary>
    public static SqlValue Abs(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var x = args[0];
        if (x.Type == SqlType.Int)
        {
            if (x.IsBigInt || x.AsLong == long.MinValue)
            {
                return SqlValue.FromInt(BigInteger.Abs(x.AsBigInteger));
            }
            return x.AsLong < 0 ? SqlValue.FromInt(-x.AsLong) : x;
        }
        return FunctionArgs.TryDouble(x, out var d) ? SqlValue.FromDecimal(Math.Abs(d)) : SqlValue.Undefined;
    }

    /// <summary><c>ceil</c>, <c>floor</c>, <c>round</c>: an Int; an Int argument is returned unchanged.</summary>
    private static SqlValue ToWhole(SqlValue x, Func<double, double> f)
    {
        if (x.Type == SqlType.Int)
        {
            return x;
        }
        return FunctionArgs.TryDouble(x, out var d) ? SqlConversions.FromWholeDouble(f(d)) : SqlValue.Undefined;
    }

    /// <summary><c>sign</c>: Int -1, 0 or 1.</summary>
    private static SqlValue Sign(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var x = args[0];
        if (x.Type == SqlType.Int)
        {
            return SqlValue.FromInt(x.IsBigInt ? x.AsBigInteger.Sign : Math.Sign(x.AsLong));
        }
        return FunctionArgs.TryDouble(x, out var d) ? SqlValue.FromInt(Math.Sign(d)) : SqlValue.Undefined;
    }

    /// <summary>
    /// <c>trunc(x, n)</c>: x cut (toward zero) to n decimal places, n rounded down and clamped to 0..34; trailing zeros
    /// are stripped, so a whole result is an Int (<c>trunc(2.3, 0)</c> = 2). An Int x is returned unchanged.
    /// </summary>
    private static SqlValue Trunc(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var x = args[0];
        if (!FunctionArgs.TryFloorClamped(args[1], 0, 34, out var places))
        {
            return SqlValue.Undefined;
        }
        if (x.Type == SqlType.Int)
        {
            return x;
        }
        if (!FunctionArgs.TryDouble(x, out var d))
        {
            return SqlValue.Undefined;
        }
        var truncated = TruncateDecimalPlaces(d, places);
        return SqlNumberFormat.IsWholeForInt(truncated) ? SqlConversions.FromWholeDouble(truncated) : SqlValue.FromDecimal(truncated);
    }

    /// <summary>Cuts the shortest decimal representation of <paramref name="value"/> after <paramref name="places"/> fraction digits.</summary>
    internal static double TruncateDecimalPlaces(double value, int places)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }
        // "R" gives the shortest round-trip text: digits d1..dk and a power of ten.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var ePos = shortest.IndexOfAny(['E', 'e']);
        var mantissa = ePos < 0 ? shortest : shortest[..ePos];
        var exponent = ePos < 0 ? 0 : int.Parse(shortest.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var fracPart = dot < 0 ? string.Empty : mantissa[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        // value = 0.<digits> × 10^point
        var significantInt = intPart.TrimStart('0').Length;
        var point = significantInt > 0
            ? significantInt + exponent
            : exponent - (fracPart.Length - fracPart.TrimStart('0').Length);
        var keep = point + places;
        if (keep >= digits.Length)
        {
            return value;
        }
        if (keep <= 0)
        {
            return 0.0;
        }
        var kept = digits[..keep];
        var result = double.Parse(kept + "E" + (point - keep).ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }

    /// <summary><c>mod</c>, <c>remainder</c>: Int if both are Int, else Decimal; the sign follows the dividend; by zero → Undefined.</summary>
    internal static SqlValue Remainder(SqlValue a, SqlValue b)
    {
        if (a.Type == SqlType.Int && b.Type == SqlType.Int)
        {
            if (a.IsBigInt || b.IsBigInt)
            {
                var divisor = b.AsBigInteger;
                return divisor.IsZero ? SqlValue.Undefined : SqlValue.FromInt(BigInteger.Remainder(a.AsBigInteger, divisor));
            }
            var y = b.AsLong;
            if (y == 0)
            {
                return SqlValue.Undefined;
            }
            // long.MinValue % -1 overflows in .NET; the remainder is 0.
            return SqlValue.FromInt(y == -1 ? 0 : a.AsLong % y);
        }
        if (!FunctionArgs.TryDouble(a, out var x) || !FunctionArgs.TryDouble(b, out var z) || z == 0)
        {
            return SqlValue.Undefined;
        }
        return SqlValue.FromDecimal(x % z);
    }

    private enum BitOp : byte
    {
        And,
        Or,
        Xor,
    }

    /// <summary><c>bitand</c>/<c>bitor</c>/<c>bitxor</c>: Int; Decimals and numeric Strings are rounded down first.</summary>
    private static SqlValue Bitwise(SqlValue x, SqlValue y, BitOp op)
    {
        if (!FunctionArgs.TryFloorInteger(x, out var a, out var bigA, out var isBigA)
            || !FunctionArgs.TryFloorInteger(y, out var b, out var bigB, out var isBigB))
        {
            return SqlValue.Undefined;
        }
        if (!isBigA && !isBigB)
        {
            return SqlValue.FromInt(op switch
            {
                BitOp.And => a & b,
                BitOp.Or => a | b,
                _ => a ^ b,
            });
        }
        var p = isBigA ? bigA : new BigInteger(a);
        var q = isBigB ? bigB : new BigInteger(b);
        return SqlValue.FromInt(op switch
        {
            BitOp.And => p & q,
            BitOp.Or => p | q,
            _ => p ^ q,
        });
    }

    /// <summary><c>bitnot</c>: two's complement (<c>bitnot(13)</c> = -14; the doc's "2" is a 4-bit view).</summary>
    private static SqlValue BitNot(SqlValue x)
    {
        if (!FunctionArgs.TryFloorInteger(x, out var a, out var big, out var isBig))
        {
            return SqlValue.Undefined;
        }
        return isBig ? SqlValue.FromInt(-big - BigInteger.One) : SqlValue.FromInt(~a);
    }
}
