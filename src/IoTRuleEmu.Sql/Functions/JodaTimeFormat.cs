using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Calendars;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// Formats an instant with a Joda-Time <c>DateTimeFormat</c> pattern (what <c>parse_time</c> uses). Letters: G C Y x w
/// e E y D M d a K h H k m s S z Z; other ASCII letters make the pattern invalid; other characters and
/// <c>'quoted text'</c> are literal, <c>''</c> is a quote. Text is US English.
/// </summary>
internal sealed class JodaTimeFormat
{
    private static readonly PatternCache<JodaTimeFormat> s_cache = new(256, Compile);

    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;
    private static readonly string[] MonthShortNames = CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedMonthNames;
    private static readonly string[] DayNames = CultureInfo.InvariantCulture.DateTimeFormat.DayNames;
    private static readonly string[] DayShortNames = CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedDayNames;

    private readonly (char Letter, int Count, string? Literal)[] _tokens;

    private JodaTimeFormat((char, int, string?)[] tokens) => _tokens = tokens;

    /// <summary>The compiled pattern, or null when Joda rejects it (empty, or an unknown letter).</summary>
    public static JodaTimeFormat? Get(string pattern) => s_cache.Get(pattern);

    private static JodaTimeFormat? Compile(string pattern)
    {
        if (pattern.Length == 0)
        {
            return null;
        }
        var tokens = new List<(char, int, string?)>();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (char.IsAsciiLetter(c))
            {
                var start = i;
                while (i < pattern.Length && pattern[i] == c)
                {
                    i++;
                }
                if (!"GCYxweEyDMdaKhHkmsSzZ".Contains(c, StringComparison.Ordinal))
                {
                    return null;
                }
                tokens.Add((c, i - start, null));
                continue;
            }
            // Literal text up to the next unquoted letter; quotes toggle, '' is a quote.
            var sb = new StringBuilder();
            var inQuote = false;
            while (i < pattern.Length)
            {
                c = pattern[i];
                if (c == '\'')
                {
                    if (i + 1 < pattern.Length && pattern[i + 1] == '\'')
                    {
                        sb.Append('\'');
                        i += 2;
                        continue;
                    }
                    inQuote = !inQuote;
                    i++;
                    continue;
                }
                if (!inQuote && char.IsAsciiLetter(c))
                {
                    break;
                }
                sb.Append(c);
                i++;
            }
            if (sb.Length > 0)
            {
                tokens.Add(('\'', 0, sb.ToString()));
            }
        }
        return new JodaTimeFormat([.. tokens]);
    }

    public string Format(Instant instant, TimeZoneNames.NamedZone zone)
    {
        var t = instant.InZone(zone.Zone);
        var sb = new StringBuilder(32);
        foreach (var (letter, count, literal) in _tokens)
        {
            switch (letter)
            {
                case '\'':
                    sb.Append(literal);
                    break;
                case 'G':
                    sb.Append(t.Era == Era.BeforeCommon ? "BC" : "AD");
                    break;
                case 'C':
                    Pad(sb, t.YearOfEra / 100, count);
                    break;
                case 'y':
                    if (count == 2)
                    {
                        Pad(sb, Math.Abs(t.Year) % 100, 2);
                    }
                    else
                    {
                        Pad(sb, t.Year, count);
                    }
                    break;
                case 'Y':
                    if (count == 2)
                    {
                        Pad(sb, Math.Abs(t.Year) % 100, 2);
                    }
                    else
                    {
                        Pad(sb, t.YearOfEra, count);
                    }
                    break;
                case 'x':
                {
                    var weekYear = WeekYearRules.Iso.GetWeekYear(t.Date);
                    Pad(sb, count == 2 ? Math.Abs(weekYear) % 100 : weekYear, count);
                    break;
                }
                case 'w':
                    Pad(sb, WeekYearRules.Iso.GetWeekOfWeekYear(t.Date), count);
                    break;
                case 'e':
                    Pad(sb, (int)t.DayOfWeek, count);
                    break;
                case 'E':
                {
                    var index = (int)t.DayOfWeek % 7; // .NET names start on Sunday
                    sb.Append(count >= 4 ? DayNames[index] : DayShortNames[index]);
                    break;
                }
                case 'D':
                    Pad(sb, t.DayOfYear, count);
                    break;
                case 'M':
                    if (count >= 4)
                    {
                        sb.Append(MonthNames[t.Month - 1]);
                    }
                    else if (count == 3)
                    {
                        sb.Append(MonthShortNames[t.Month - 1]);
                    }
                    else
                    {
                        Pad(sb, t.Month, count);
                    }
                    break;
                case 'd':
                    Pad(sb, t.Day, count);
                    break;
                case 'a':
                    sb.Append(t.Hour < 12 ? "AM" : "PM");
                    break;
                case 'K':
                    Pad(sb, t.Hour % 12, count);
                    break;
                case 'h':
                    Pad(sb, t.Hour % 12 == 0 ? 12 : t.Hour % 12, count);
                    break;
                case 'H':
                    Pad(sb, t.Hour, count);
                    break;
                case 'k':
                    Pad(sb, t.Hour == 0 ? 24 : t.Hour, count);
                    break;
                case 'm':
                    Pad(sb, t.Minute, count);
                    break;
                case 's':
                    Pad(sb, t.Second, count);
                    break;
                case 'S':
                {
                    // count digits of the fraction of second (millisecond precision), truncated.
                    var ms = (long)t.Millisecond;
                    var digits = count;
                    var scaled = digits >= 3 ? ms : ms / (long)Math.Pow(10, 3 - digits);
                    var text = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(Math.Min(digits, 3), '0');
                    sb.Append(text);
                    if (digits > 3)
                    {
                        sb.Append('0', digits - 3);
                    }
                    break;
                }
                case 'z':
                    sb.Append(count >= 4 ? TimeZoneNames.LongName(zone, instant) : TimeZoneNames.ShortName(zone, instant));
                    break;
                case 'Z':
                    if (count >= 3)
                    {
                        sb.Append(zone.Id);
                    }
                    else
                    {
                        sb.Append(TimeZoneNames.FormatOffset(t.Offset.Seconds / 60 * 60, colon: count == 2, zeroText: null));
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A number with at least <paramref name="width"/> digits (the sign comes first).</summary>
    private static void Pad(StringBuilder sb, long value, int width)
    {
        if (value < 0)
        {
            sb.Append('-');
            value = -value;
        }
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Length < width)
        {
            sb.Append('0', width - text.Length);
        }
        sb.Append(text);
    }
}
