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

    /// <summary>Longest text <see cref="FormatDecimal(double, SqlVersion, Span{char})"/> writes.</summary>
    public const int MaxDecimalLength = 48;

    public static string FormatDecimal(double value, SqlVersion version)
    {
        Span<char> buffer = stackalloc char[MaxDecimalLength];
        return new string(buffer[..FormatDecimal(value, version, buffer)]);
    }

    /// <summary>Writes a Decimal as AWS prints it into <paramref name="destination"/> (at least <see cref="MaxDecimalLength"/> chars); returns the length.</summary>
    public static int FormatDecimal(double value, SqlVersion version, Span<char> destination)
    {
        if (version.Is2016() && IsWholeForInt(value))
        {
            if (Math.Abs(value) < 9.2e18)
            {
                ((long)value).TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
                return written;
            }
            var text = new BigInteger(value).ToString(CultureInfo.InvariantCulture);
            text.AsSpan().CopyTo(destination);
            return text.Length;
        }
        return JavaDoubleToString(value, destination);
    }

    /// <summary>Whole doubles below this magnitude print as Int under 2016-03-23 (Int holds up to 34 digits).</summary>
    public static bool IsWholeForInt(double value) => double.IsFinite(value) && Math.Abs(value) < MaxWholeAsInt && Math.Floor(value) == value;

    /// <summary>Java's <c>Double.toString</c> with shortest round-trip digits (as JDK 19+ prints them).</summary>
    public static string JavaDoubleToString(double value)
    {
        Span<char> buffer = stackalloc char[MaxDecimalLength];
        return new string(buffer[..JavaDoubleToString(value, buffer)]);
    }

    /// <summary>Span form of <see cref="JavaDoubleToString(double)"/>; allocates nothing.</summary>
    public static int JavaDoubleToString(double value, Span<char> destination)
    {
        if (value == 0)
        {
            return Write(destination, double.IsNegative(value) ? "-0.0" : "0.0");
        }
        if (!double.IsFinite(value))
        {
            return Write(destination, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }

        // .NET's shortest round-trip text ("27.4", "1E+21", "1.234E-05") → significant digits + exponent of the first one.
        Span<char> shortest = stackalloc char[40];
        var abs = Math.Abs(value);
        abs.TryFormat(shortest, out var length, "R", CultureInfo.InvariantCulture);
        shortest = shortest[..length];
        var e = shortest.IndexOfAny('E', 'e');
        var mantissa = e >= 0 ? shortest[..e] : shortest;
        var exp = e >= 0 ? int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.');
        var intLength = point >= 0 ? point : mantissa.Length;
        Span<char> digits = stackalloc char[40];
        var count = 0;
        var leadingZeros = 0;
        foreach (var c in mantissa)
        {
            if (c == '.')
            {
                continue;
            }
            if (count == 0 && c == '0')
            {
                leadingZeros++;
                continue;
            }
            digits[count++] = c;
        }
        while (count > 1 && digits[count - 1] == '0')
        {
            count--;
        }
        digits = digits[..count];
        var exponent = intLength - 1 - leadingZeros + exp;

        var pos = 0;
        if (value < 0)
        {
            destination[pos++] = '-';
        }
        if (abs >= 1e-3 && abs < 1e7)
        {
            if (exponent >= 0)
            {
                var intDigits = exponent + 1;
                if (digits.Length <= intDigits)
                {
                    digits.CopyTo(destination[pos..]);
                    pos += digits.Length;
                    destination.Slice(pos, intDigits - digits.Length).Fill('0');
                    pos += intDigits - digits.Length;
                    pos += Write(destination[pos..], ".0");
                }
                else
                {
                    digits[..intDigits].CopyTo(destination[pos..]);
                    pos += intDigits;
                    destination[pos++] = '.';
                    digits[intDigits..].CopyTo(destination[pos..]);
                    pos += digits.Length - intDigits;
                }
            }
            else
            {
                pos += Write(destination[pos..], "0.");
                destination.Slice(pos, -exponent - 1).Fill('0');
                pos += -exponent - 1;
                digits.CopyTo(destination[pos..]);
                pos += digits.Length;
            }
            return pos;
        }
        destination[pos++] = digits[0];
        destination[pos++] = '.';
        if (digits.Length > 1)
        {
            digits[1..].CopyTo(destination[pos..]);
            pos += digits.Length - 1;
        }
        else
        {
            destination[pos++] = '0';
        }
        destination[pos++] = 'E';
        exponent.TryFormat(destination[pos..], out var expLength, default, CultureInfo.InvariantCulture);
        return pos + expLength;
    }

    private static int Write(Span<char> destination, string text)
    {
        text.AsSpan().CopyTo(destination);
        return text.Length;
    }
}
