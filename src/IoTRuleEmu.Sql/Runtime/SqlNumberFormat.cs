using System.Globalization;
using System.Numerics;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// Prints numbers the way AWS IoT does. AWS runs on the JVM: a Decimal prints like Java's <c>Double.toString</c>
/// (shortest round-trip digits, always a fraction digit, scientific notation outside [1e-3, 1e7)), and under
/// 2016-03-23 a whole-number Decimal prints as an Int (<c>cast(5.0 as double)</c> is <c>5.0</c> in 2015, <c>5</c> in 2016).
/// </summary>
public static class SqlNumberFormat
{
    /// <summary>Whole doubles below this magnitude print as Int under 2016-03-23 (Int holds up to 34 digits).</summary>
    private const double MaxWholeAsInt = 1e34;

    public static string FormatInt(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string FormatInt(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    public static string FormatDecimal(double value, SqlVersion version)
    {
        if (version.Is2016() && IsWholeForInt(value))
        {
            return value is >= long.MinValue and <= long.MaxValue && Math.Abs(value) < 9.2e18
                ? ((long)value).ToString(CultureInfo.InvariantCulture)
                : new BigInteger(value).ToString(CultureInfo.InvariantCulture);
        }
        return JavaDoubleToString(value);
    }

    /// <summary>True when a Decimal is a whole number small enough to print as an Int.</summary>
    public static bool IsWholeForInt(double value) => double.IsFinite(value) && Math.Abs(value) < MaxWholeAsInt && Math.Floor(value) == value;

    /// <summary>Java's <c>Double.toString</c> with shortest round-trip digits (as JDK 19+ prints them).</summary>
    public static string JavaDoubleToString(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
        }

        // Shortest round-trip digits and the decimal exponent: value = 0.d1d2...dn * 10^pointPos.
        GetDigits(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture), out var digits, out var exponent);

        var sb = new System.Text.StringBuilder(24);
        if (value < 0)
        {
            sb.Append('-');
        }
        var abs = Math.Abs(value);
        if (abs >= 1e-3 && abs < 1e7)
        {
            // Plain notation. exponent = power of ten of the first digit.
            if (exponent >= 0)
            {
                var intDigits = exponent + 1;
                if (digits.Length <= intDigits)
                {
                    sb.Append(digits).Append('0', intDigits - digits.Length).Append(".0");
                }
                else
                {
                    sb.Append(digits, 0, intDigits).Append('.').Append(digits, intDigits, digits.Length - intDigits);
                }
            }
            else
            {
                sb.Append("0.").Append('0', -exponent - 1).Append(digits);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.');
            if (digits.Length > 1)
            {
                sb.Append(digits, 1, digits.Length - 1);
            }
            else
            {
                sb.Append('0');
            }
            sb.Append('E').Append(exponent.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Splits .NET's number text ("1.2345E-05" or "123.45") into significant digits and the exponent of the first one.</summary>
    private static void GetDigits(string text, out string digits, out int exponent)
    {
        var e = text.IndexOfAny(['E', 'e']);
        var mantissa = e >= 0 ? text[..e] : text;
        var exp = e >= 0 ? int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = point >= 0 ? mantissa[..point] : mantissa;
        var fracPart = point >= 0 ? mantissa[(point + 1)..] : string.Empty;
        var all = intPart + fracPart;
        var firstNonZero = 0;
        while (firstNonZero < all.Length && all[firstNonZero] == '0')
        {
            firstNonZero++;
        }
        var trimmed = all[firstNonZero..].TrimEnd('0');
        digits = trimmed;
        // Position of the first significant digit relative to the decimal point.
        exponent = intPart.Length - 1 - firstNonZero + exp;
    }
}
