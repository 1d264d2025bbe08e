using System.Text.Json;
using System.Text.Unicode;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// Recognises a JSON object that is already exactly what <see cref="SqlJson"/> would write for it, so that
/// <c>SELECT *</c> can hand the payload on as it came instead of parsing it and writing it again (most devices send
/// compact JSON with short decimals). One forward scan, no allocation. "Canonical" means: no whitespace, no escape
/// sequences in strings, integers as <see cref="long"/> prints them, decimals as <see cref="SqlNumberFormat"/> prints
/// them for the statement's SQL version (Java's <c>Double.toString</c>), and no exponents. Anything else (or anything the scan is unsure of) is
/// false, and the caller takes the general path, which stays the definition of the output.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The depth <see cref="SqlJson"/>'s parser accepts.</summary>
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    public static bool IsCanonicalObject(ReadOnlySpan<byte> utf8, SqlVersion version)
    {
        if (utf8.IsEmpty || utf8[0] != (byte)'{')
        {
            return false;
        }
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        long end = 0;
        try
        {
            while (reader.Read())
            {
                // Between two tokens there may be one ',' or ':' and nothing else (no whitespace).
                var start = reader.TokenStartIndex;
                if (start != end && !(start == end + 1 && utf8[(int)end] is (byte)',' or (byte)':'))
                {
                    return false;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.EndObject:
                    case JsonTokenType.StartArray:
                    case JsonTokenType.EndArray:
                        end = start + 1;
                        break;
                    case JsonTokenType.PropertyName:
                    case JsonTokenType.String:
                        // SqlJson writes text as raw UTF-8 and escapes only what JSON requires, which unescaped
                        // valid text cannot contain; escaped text may be written differently ("\u00e9" → "é").
                        if (reader.ValueIsEscaped || !Utf8.IsValid(reader.ValueSpan))
                        {
                            return false;
                        }
                        end = start + reader.ValueSpan.Length + 2;
                        break;
                    case JsonTokenType.Number:
                        if (!IsCanonicalNumber(reader.ValueSpan, version))
                        {
                            return false;
                        }
                        end = start + reader.ValueSpan.Length;
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                    case JsonTokenType.Null:
                        end = start + reader.ValueSpan.Length;
                        break;
                    default:
                        return false;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        return end == utf8.Length;
    }

    /// <summary>
    /// True when the number token prints back as the same text, decided on the text alone (no double is parsed).
    /// A decimal of at most 15 significant digits in Java's plain range [1e-3, 1e7) is the shortest text of the double
    /// nearest to it (two such decimals never round to the same double), which is what Java prints, unless the text
    /// has a trailing zero Java would drop.
    /// </summary>
    private static bool IsCanonicalNumber(ReadOnlySpan<byte> raw, SqlVersion version)
    {
        // The reader has checked the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        var negative = raw[0] == (byte)'-';
        var digits = negative ? raw[1..] : raw;
        if (digits.IndexOfAny((byte)'e', (byte)'E') >= 0)
        {
            return false;
        }
        var point = digits.IndexOf((byte)'.');
        if (point < 0)
        {
            // An Int prints as long does: the same digits, except "-0"; 19 digits or more may not fit in 64 bits.
            return digits.Length <= 18 && !(negative && digits is [(byte)'0']);
        }
        var integer = digits[..point];
        var fraction = digits[(point + 1)..];
        if (integer.Length > 7)
        {
            return false; // 1e7 and above: scientific notation
        }
        if (fraction is [(byte)'0'])
        {
            // A whole Decimal: "25.0" (and "0.0", "-0.0") in 2015-10-08; 2016-03-23 prints it as an Int ("25").
            return !version.Is2016();
        }
        if (fraction[^1] == (byte)'0')
        {
            return false;
        }
        int significant;
        if (integer is [(byte)'0'])
        {
            var leadingZeros = fraction.IndexOfAnyExcept((byte)'0');
            if (leadingZeros > 2)
            {
                return false; // below 1e-3: scientific notation
            }
            significant = fraction.Length - leadingZeros;
        }
        else
        {
            significant = integer.Length + fraction.Length;
        }
        return significant <= 15;
    }
}
