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

    /// <summary>10⁰ … 10¹⁵, each exact as a double.</summary>
    private static readonly double[] s_powersOf10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

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
        return TryFormatShortPlain(value, destination, out var written) ? written : FormatShortest(value, destination);
    }

    /// <summary>
    /// The fast path for typical telemetry (<c>1013.25</c>, <c>47.6062</c>): a value in Java's plain range [1e-3, 1e7)
    /// that is exactly the nearest double to a decimal r·10⁻ᵏ with r &lt; 10¹⁵. Then that decimal, with k minimal, is the
    /// shortest round-trip text <see cref="FormatShortest"/> would find: r and 10ᵏ are exact doubles and IEEE division
    /// rounds correctly, so <c>r / 10ᵏ == |value|</c> proves the decimal rounds to the value, and two different decimals
    /// of at most 15 significant digits never round to the same double (DBL_DIG), so no shorter one does.
    /// False for everything else, which takes the general path.
    /// </summary>
    internal static bool TryFormatShortPlain(double value, Span<char> destination, out int written)
    {
        written = 0;
        var abs = Math.Abs(value);
        if (!(abs >= 1e-3 && abs < 1e7))
        {
            return false;
        }
        for (var k = 0; k < s_powersOf10.Length; k++)
        {
            // |abs·10ᵏ − r| < r·2⁻⁵² < 0.25 for r < 10¹⁵, so rounding finds r whenever a decimal with k places exists.
            var scaled = Math.Round(abs * s_powersOf10[k]);
            if (scaled >= 1e15)
            {
                return false;
            }
            if (scaled / s_powersOf10[k] != abs)
            {
                continue;
            }
            var pos = 0;
            if (value < 0)
            {
                destination[pos++] = '-';
            }
            var r = (long)scaled;
            var unit = (long)s_powersOf10[k];
            (r / unit).TryFormat(destination[pos..], out var intLength, default, CultureInfo.InvariantCulture);
            pos += intLength;
            destination[pos++] = '.';
            if (k == 0)
            {
                destination[pos++] = '0';
            }
            else
            {
                // k is minimal, so the fraction's last digit is not 0; its leading zeros are padding.
                var fraction = r % unit;
                for (var i = pos + k - 1; i >= pos; i--)
                {
                    destination[i] = (char)('0' + (int)(fraction % 10));
                    fraction /= 10;
                }
                pos += k;
            }
            written = pos;
            return true;
        }
        return false;
    }

    /// <summary>The general path of <see cref="JavaDoubleToString(double, Span{char})"/> for a finite non-zero value.</summary>
    internal static int FormatShortest(double value, Span<char> destination)
    {
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
