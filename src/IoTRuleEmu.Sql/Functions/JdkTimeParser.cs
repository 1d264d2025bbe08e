using System.Globalization;
using NodaTime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// Parses text with a JDK 11 <c>DateTimeFormatter.ofPattern</c> pattern (what <c>time_to_epoch</c> uses) in the JDK's
/// default strict, case-sensitive, SMART-resolving mode, US English text. Supported letters: G u y D M L d Q q E a h K
/// k H m s S A n N V v z O X x Z, <c>'literal'</c>, <c>[optional]</c>. Week-based fields (Y w W F e c) and padding
/// (p) are not supported: such patterns give no result. Missing time fields default to midnight; a missing zone means UTC.
/// </summary>
internal sealed class JdkTimeParser
{
    private static readonly PatternCache<JdkTimeParser> s_cache = new(256, Compile);

    private static readonly string[] MonthFull = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] MonthShort = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] MonthNarrow = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"];
    private static readonly string[] DayFull = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] DayShort = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] DayNarrow = ["M", "T", "W", "T", "F", "S", "S"];
    private static readonly string[] AmPm = ["AM", "PM"];
    private static readonly string[] EraShort = ["BC", "AD"];
    private static readonly string[] EraFull = ["Before Christ", "Anno Domini"];
    private static readonly string[] EraNarrow = ["B", "A"];
    private static readonly string[] QuarterShort = ["Q1", "Q2", "Q3", "Q4"];
    private static readonly string[] QuarterFull = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];

    private enum Field : byte
    {
        Era,
        Year,
        YearOfEra,
        Month,
        Day,
        DayOfYear,
        Quarter,
        DayOfWeek,
        AmPm,
        ClockHourOfAmPm,
        HourOfAmPm,
        ClockHourOfDay,
        HourOfDay,
        Minute,
        Second,
        Nano,
        MilliOfDay,
        NanoOfDay,
        Count,
    }

    private enum Kind : byte
    {
        Literal,
        Number,
        ReducedYear,
        Fraction,
        Text,
        Offset,
        LocalizedOffset,
        ZoneId,
        ZoneText,
        OptionalStart,
        OptionalEnd,
    }

    /// <summary>One element of the compiled pattern.</summary>
    private sealed class Element
    {
        public Kind Kind;
        public Field Field;
        public int MinWidth;
        public int MaxWidth;
        /// <summary>Digits that later adjacent fixed-width numbers need (JDK "adjacent value parsing").</summary>
        public int Reserved;
        public string? Text;
        public string[]? Choices;
        /// <summary>Offset elements: the pattern ("+HH:MM") and the text for a zero offset ("Z").</summary>
        public string? NoOffsetText;
        public bool Full;
        /// <summary>OptionalStart: index of the matching OptionalEnd.</summary>
        public int End;
    }

    private readonly Element[] _elements;

    private JdkTimeParser(Element[] elements) => _elements = elements;

    public static JdkTimeParser? Get(string pattern) => s_cache.Get(pattern);

    private static JdkTimeParser? Compile(string pattern)
    {
        var list = new List<Element>();
        var optionalStarts = new Stack<int>();
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
                if (!AddLetter(list, c, i - start))
                {
                    return null;
                }
            }
            else if (c == '\'')
            {
                var end = i + 1;
                var text = new System.Text.StringBuilder();
                while (true)
                {
                    if (end >= pattern.Length)
                    {
                        return null; // unterminated quote
                    }
                    if (pattern[end] == '\'')
                    {
                        if (end + 1 < pattern.Length && pattern[end + 1] == '\'')
                        {
                            text.Append('\'');
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    text.Append(pattern[end]);
                    end++;
                }
                list.Add(new Element { Kind = Kind.Literal, Text = end == i + 1 ? "'" : text.ToString() });
                i = end + 1;
            }
            else if (c == '[')
            {
                optionalStarts.Push(list.Count);
                list.Add(new Element { Kind = Kind.OptionalStart });
                i++;
            }
            else if (c == ']')
            {
                if (optionalStarts.Count == 0)
                {
                    return null;
                }
                list[optionalStarts.Pop()].End = list.Count;
                list.Add(new Element { Kind = Kind.OptionalEnd });
                i++;
            }
            else if (c is '{' or '}' or '#')
            {
                return null; // reserved
            }
            else
            {
                list.Add(new Element { Kind = Kind.Literal, Text = c.ToString() });
                i++;
            }
        }
        while (optionalStarts.Count > 0)
        {
            // An unclosed '[' is closed at the end.
            list[optionalStarts.Pop()].End = list.Count;
            list.Add(new Element { Kind = Kind.OptionalEnd });
        }
        // Adjacent value parsing: a variable-width number leaves room for the fixed-width numbers right after it.
        for (var k = 0; k < list.Count; k++)
        {
            if (list[k].Kind == Kind.Number && list[k].MinWidth != list[k].MaxWidth)
            {
                var reserved = 0;
                for (var n = k + 1; n < list.Count && IsFixedWidth(list[n]); n++)
                {
                    reserved += list[n].MinWidth;
                }
                list[k].Reserved = reserved;
            }
        }
        return new JdkTimeParser([.. list]);
    }

    private static bool IsFixedWidth(Element e) =>
        e.Kind is Kind.Number or Kind.ReducedYear or Kind.Fraction && e.MinWidth == e.MaxWidth;

    private static Element Number(Field field, int min, int max) => new() { Kind = Kind.Number, Field = field, MinWidth = min, MaxWidth = max };

    private static Element Text(Field field, string[] choices) => new() { Kind = Kind.Text, Field = field, Choices = choices };

    private static bool AddLetter(List<Element> list, char c, int count)
    {
        switch (c)
        {
            case 'G':
                if (count > 5)
                {
                    return false;
                }
                list.Add(Text(Field.Era, count <= 3 ? EraShort : count == 4 ? EraFull : EraNarrow));
                return true;
            case 'u' or 'y':
            {
                var field = c == 'u' ? Field.Year : Field.YearOfEra;
                if (count == 2)
                {
                    list.Add(new Element { Kind = Kind.ReducedYear, Field = field, MinWidth = 2, MaxWidth = 2 });
                }
                else
                {
                    list.Add(Number(field, count, 19));
                }
                return true;
            }
            case 'Q' or 'q':
                if (count > 4)
                {
                    return false;
                }
                list.Add(count <= 2 ? Number(Field.Quarter, count, count == 1 ? 19 : 2) : Text(Field.Quarter, count == 3 ? QuarterShort : QuarterFull));
                return true;
            case 'M' or 'L':
                if (count > 5)
                {
                    return false;
                }
                list.Add(count switch
                {
                    1 => Number(Field.Month, 1, 19),
                    2 => Number(Field.Month, 2, 2),
                    3 => Text(Field.Month, MonthShort),
                    4 => Text(Field.Month, MonthFull),
                    _ => Text(Field.Month, MonthNarrow),
                });
                return true;
            case 'd' or 'h' or 'K' or 'k' or 'H' or 'm' or 's':
            {
                if (count > 2)
                {
                    return false;
                }
                var field = c switch
                {
                    'd' => Field.Day,
                    'h' => Field.ClockHourOfAmPm,
                    'K' => Field.HourOfAmPm,
                    'k' => Field.ClockHourOfDay,
                    'H' => Field.HourOfDay,
                    'm' => Field.Minute,
                    _ => Field.Second,
                };
                list.Add(count == 1 ? Number(field, 1, 19) : Number(field, 2, 2));
                return true;
            }
            case 'D':
                if (count > 3)
                {
                    return false;
                }
                list.Add(count switch { 1 => Number(Field.DayOfYear, 1, 19), 2 => Number(Field.DayOfYear, 2, 3), _ => Number(Field.DayOfYear, 3, 3) });
                return true;
            case 'E':
                if (count > 5)
                {
                    return false;
                }
                list.Add(Text(Field.DayOfWeek, count <= 3 ? DayShort : count == 4 ? DayFull : DayNarrow));
                return true;
            case 'a':
                if (count > 1)
                {
                    return false;
                }
                list.Add(Text(Field.AmPm, AmPm));
                return true;
            case 'S':
                list.Add(new Element { Kind = Kind.Fraction, Field = Field.Nano, MinWidth = count, MaxWidth = count });
                return true;
            case 'A':
                list.Add(Number(Field.MilliOfDay, count, 19));
                return true;
            case 'n':
                list.Add(Number(Field.Nano, count, 19));
                return true;
            case 'N':
                list.Add(Number(Field.NanoOfDay, count, 19));
                return true;
            case 'V':
                if (count != 2)
                {
                    return false;
                }
                list.Add(new Element { Kind = Kind.ZoneId });
                return true;
            case 'z' or 'v':
                if (count > 4 || (c == 'v' && count is 2 or 3))
                {
                    return false;
                }
                list.Add(new Element { Kind = Kind.ZoneText });
                return true;
            case 'O':
                if (count is not (1 or 4))
                {
                    return false;
                }
                list.Add(new Element { Kind = Kind.LocalizedOffset, Full = count == 4 });
                return true;
            case 'X' or 'x':
            {
                if (count > 5)
                {
                    return false;
                }
                var offsetPattern = count switch { 1 => "+HHmm", 2 => "+HHMM", 3 => "+HH:MM", 4 => "+HHMMss", _ => "+HH:MM:ss" };
                var zero = c == 'X' ? "Z" : count switch { 1 => "+00", 2 or 4 => "+0000", _ => "+00:00" };
                list.Add(new Element { Kind = Kind.Offset, Text = offsetPattern, NoOffsetText = zero });
                return true;
            }
            case 'Z':
                if (count > 5)
                {
                    return false;
                }
                list.Add(count switch
                {
                    <= 3 => new Element { Kind = Kind.Offset, Text = "+HHMM", NoOffsetText = "+0000" },
                    4 => new Element { Kind = Kind.LocalizedOffset, Full = true },
                    _ => new Element { Kind = Kind.Offset, Text = "+HH:MM:ss", NoOffsetText = "Z" },
                });
                return true;
            default:
                // Y w W F e c (week-based, locale-dependent) and p (padding) are not supported; other letters are invalid.
                return false;
        }
    }

    /// <summary>What one parse collected.</summary>
    private sealed class Parsed
    {
        public readonly long?[] Fields = new long?[(int)Field.Count];
        public TimeZoneNames.NamedZone? Zone;
        public int? OffsetSeconds;

        public Parsed Clone()
        {
            var copy = new Parsed { Zone = Zone, OffsetSeconds = OffsetSeconds };
            Array.Copy(Fields, copy.Fields, Fields.Length);
            return copy;
        }

        public void CopyFrom(Parsed other)
        {
            Array.Copy(other.Fields, Fields, Fields.Length);
            Zone = other.Zone;
            OffsetSeconds = other.OffsetSeconds;
        }

        /// <summary>Stores a field; a second, different value for the same field is a conflict (JDK: error).</summary>
        public bool Set(Field field, long value)
        {
            ref var slot = ref Fields[(int)field];
            if (slot is { } existing && existing != value)
            {
                return false;
            }
            slot = value;
            return true;
        }
    }

    /// <summary>Epoch milliseconds of <paramref name="text"/>; null when it does not parse or resolve.</summary>
    public long? ParseToEpochMillis(string text)
    {
        var parsed = new Parsed();
        var pos = 0;
        if (!ParseRange(text, ref pos, 0, _elements.Length, parsed) || pos != text.Length)
        {
            return null;
        }
        return Resolve(parsed);
    }

    private bool ParseRange(string text, ref int pos, int from, int to, Parsed parsed)
    {
        for (var k = from; k < to; k++)
        {
            var e = _elements[k];
            switch (e.Kind)
            {
                case Kind.OptionalStart:
                {
                    var saved = parsed.Clone();
                    var p = pos;
                    if (ParseRange(text, ref p, k + 1, e.End, parsed))
                    {
                        pos = p;
                    }
                    else
                    {
                        parsed.CopyFrom(saved);
                    }
                    k = e.End;
                    break;
                }
                case Kind.OptionalEnd:
                    break;
                case Kind.Literal:
                    if (!TimeZoneNames.TextAt(text, pos, e.Text!))
                    {
                        return false;
                    }
                    pos += e.Text!.Length;
                    break;
                case Kind.Number:
                {
                    var negative = false;
                    if (e.MinWidth != e.MaxWidth && pos < text.Length && text[pos] == '-' && e.Field is Field.Year or Field.YearOfEra)
                    {
                        negative = true;
                        pos++;
                    }
                    var available = 0;
                    while (pos + available < text.Length && available < e.MaxWidth && char.IsAsciiDigit(text[pos + available]))
                    {
                        available++;
                    }
                    var take = Math.Min(available, e.MaxWidth);
                    if (e.Reserved > 0)
                    {
                        take = Math.Min(take, available - e.Reserved);
                    }
                    if (take < e.MinWidth || take > 18)
                    {
                        return false;
                    }
                    var value = long.Parse(text.AsSpan(pos, take), NumberStyles.None, CultureInfo.InvariantCulture);
                    pos += take;
                    if (!parsed.Set(e.Field, negative ? -value : value))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.ReducedYear:
                {
                    if (pos + 2 > text.Length || !char.IsAsciiDigit(text[pos]) || !char.IsAsciiDigit(text[pos + 1])
                        || (pos + 2 < text.Length && char.IsAsciiDigit(text[pos + 2]) && !NextIsNumber(k)))
                    {
                        return false;
                    }
                    var value = 2000 + (text[pos] - '0') * 10 + (text[pos + 1] - '0');
                    pos += 2;
                    if (!parsed.Set(e.Field, value))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.Fraction:
                {
                    var digits = 0;
                    while (pos + digits < text.Length && digits < e.MaxWidth && char.IsAsciiDigit(text[pos + digits]))
                    {
                        digits++;
                    }
                    if (digits < e.MinWidth)
                    {
                        return false;
                    }
                    long nanos = 0;
                    for (var d = 0; d < 9; d++)
                    {
                        nanos = nanos * 10 + (d < digits ? text[pos + d] - '0' : 0);
                    }
                    pos += digits;
                    if (!parsed.Set(Field.Nano, nanos))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.Text:
                {
                    var best = -1;
                    var bestLength = 0;
                    var choices = e.Choices!;
                    for (var n = 0; n < choices.Length; n++)
                    {
                        var choice = choices[n];
                        if (choice.Length > bestLength && TimeZoneNames.TextAt(text, pos, choice))
                        {
                            best = n;
                            bestLength = choice.Length;
                        }
                    }
                    if (best < 0)
                    {
                        return false;
                    }
                    pos += bestLength;
                    long value = e.Field switch
                    {
                        Field.Month or Field.Quarter or Field.DayOfWeek => best + 1,
                        _ => best, // AmPm: 0 = AM; Era: 0 = BC, 1 = AD
                    };
                    if (!parsed.Set(e.Field, value))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.Offset:
                {
                    if (!TryParseOffset(text, ref pos, e.Text!, e.NoOffsetText!, out var seconds) || !SetOffset(parsed, seconds))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.LocalizedOffset:
                {
                    if (!TimeZoneNames.TextAt(text, pos, "GMT"))
                    {
                        return false;
                    }
                    pos += 3;
                    var seconds = 0;
                    if (pos < text.Length && text[pos] is '+' or '-')
                    {
                        var p = pos;
                        if (!TimeZoneNames.TryReadOffset(text, ref p, requireTwoDigitHour: e.Full, out seconds))
                        {
                            return false;
                        }
                        pos = p;
                    }
                    if (!SetOffset(parsed, seconds))
                    {
                        return false;
                    }
                    break;
                }
                case Kind.ZoneId:
                case Kind.ZoneText:
                {
                    var p = pos;
                    var zone = TimeZoneNames.MatchZoneId(text, ref p);
                    if (e.Kind == Kind.ZoneText)
                    {
                        var q = pos;
                        if (TimeZoneNames.MatchName(text, ref q) is { } named && (zone is null || q > p))
                        {
                            zone = named;
                            p = q;
                        }
                    }
                    if (zone is null)
                    {
                        return false;
                    }
                    pos = p;
                    parsed.Zone = zone;
                    break;
                }
            }
        }
        return true;
    }

    private bool NextIsNumber(int k) => k + 1 < _elements.Length && _elements[k + 1].Kind is Kind.Number or Kind.ReducedYear or Kind.Fraction;

    private static bool SetOffset(Parsed parsed, int seconds)
    {
        if (parsed.OffsetSeconds is { } existing && existing != seconds)
        {
            return false;
        }
        parsed.OffsetSeconds = seconds;
        return true;
    }

    /// <summary>
    /// The JDK's offset patterns: "+HH", "+HHmm" (minutes optional), "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss"
    /// (seconds optional); <paramref name="zero"/> is accepted for a zero offset.
    /// </summary>
    private static bool TryParseOffset(string text, ref int pos, string pattern, string zero, out int seconds)
    {
        seconds = 0;
        if (TimeZoneNames.TextAt(text, pos, zero))
        {
            // "+0000"-style zero texts also parse as a normal offset; prefer the normal parse when it is longer.
            var p0 = pos;
            if (!(text[pos] is '+' or '-' && TryParseOffset(text, ref p0, pattern, "\u0000", out var s0) && p0 > pos + zero.Length))
            {
                pos += zero.Length;
                return true;
            }
            pos = p0;
            seconds = s0;
            return true;
        }
        var i = pos;
        if (i >= text.Length || text[i] is not ('+' or '-'))
        {
            return false;
        }
        var sign = text[i] == '-' ? -1 : 1;
        i++;
        if (!TwoDigits(text, i, out var hours))
        {
            return false;
        }
        i += 2;
        var colon = pattern.Contains(':', StringComparison.Ordinal);
        var minutesRequired = pattern.Contains("MM", StringComparison.Ordinal);
        var minutesOptional = pattern.Contains("mm", StringComparison.Ordinal);
        var secondsOptional = pattern.EndsWith("ss", StringComparison.Ordinal);
        var minutes = 0;
        var secs = 0;
        if (minutesRequired || minutesOptional)
        {
            var j = colon ? i + 1 : i;
            var hasMinutes = (!colon || (i < text.Length && text[i] == ':')) && TwoDigits(text, j, out minutes);
            if (hasMinutes)
            {
                i = j + 2;
                if (secondsOptional)
                {
                    var s = colon ? i + 1 : i;
                    if ((!colon || (i < text.Length && text[i] == ':')) && TwoDigits(text, s, out secs))
                    {
                        i = s + 2;
                    }
                }
            }
            else if (minutesRequired)
            {
                return false;
            }
        }
        if (hours > 18 || minutes > 59 || secs > 59)
        {
            return false;
        }
        seconds = sign * (hours * 3600 + minutes * 60 + secs);
        pos = i;
        return true;
    }

    private static bool TwoDigits(string text, int at, out int value)
    {
        value = 0;
        if (at + 1 >= text.Length || !char.IsAsciiDigit(text[at]) || !char.IsAsciiDigit(text[at + 1]))
        {
            return false;
        }
        value = (text[at] - '0') * 10 + (text[at + 1] - '0');
        return true;
    }

    /// <summary>Resolves the parsed fields to an instant (SMART: an impossible day of month becomes the month's last day).</summary>
    private static long? Resolve(Parsed parsed)
    {
        var f = parsed.Fields;
        long? Get(Field field) => f[(int)field];

        // Year: proleptic year, or year of era + era (AD when absent).
        long year;
        if (Get(Field.Year) is { } y)
        {
            year = y;
        }
        else if (Get(Field.YearOfEra) is { } yoe)
        {
            if (yoe < 1 && Get(Field.Era) is not null)
            {
                return null;
            }
            year = Get(Field.Era) == 0 ? 1 - yoe : yoe;
        }
        else
        {
            return null;
        }
        if (year is < -9998 or > 9999)
        {
            return null;
        }

        LocalDate date;
        try
        {
            if (Get(Field.Month) is { } month)
            {
                if (month is < 1 or > 12 || Get(Field.Day) is not { } day || day is < 1 or > 31)
                {
                    return null;
                }
                var last = CalendarSystem.Iso.GetDaysInMonth((int)year, (int)month);
                date = new LocalDate((int)year, (int)month, (int)Math.Min(day, last));
                if (Get(Field.DayOfYear) is { } doyCheck && doyCheck != date.DayOfYear)
                {
                    return null;
                }
            }
            else if (Get(Field.DayOfYear) is { } doy)
            {
                if (doy < 1 || doy > CalendarSystem.Iso.GetDaysInYear((int)year) || Get(Field.Day) is not null)
                {
                    return null;
                }
                date = new LocalDate((int)year, 1, 1).PlusDays((int)doy - 1);
            }
            else
            {
                return null;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
        if (Get(Field.Quarter) is { } quarter && (quarter is < 1 or > 4 || (date.Month - 1) / 3 + 1 != quarter))
        {
            return null;
        }
        if (Get(Field.DayOfWeek) is { } dow && (int)date.DayOfWeek != dow)
        {
            return null;
        }

        // Time of day.
        long nanoOfDay;
        if (Get(Field.NanoOfDay) is { } nod)
        {
            if (nod < 0 || nod >= 86_400_000_000_000L)
            {
                return null;
            }
            nanoOfDay = nod;
        }
        else if (Get(Field.MilliOfDay) is { } mod)
        {
            if (mod < 0 || mod >= 86_400_000L)
            {
                return null;
            }
            nanoOfDay = mod * 1_000_000L;
        }
        else
        {
            long? hour = null;
            if (Get(Field.HourOfDay) is { } h)
            {
                if (h is < 0 or > 23)
                {
                    return null;
                }
                hour = h;
            }
            if (Get(Field.ClockHourOfDay) is { } k)
            {
                if (k is < 1 or > 24 || (hour is not null && hour != k % 24))
                {
                    return null;
                }
                hour = k % 24;
            }
            var ampm = Get(Field.AmPm);
            long? hourOfAmPm = null;
            if (Get(Field.ClockHourOfAmPm) is { } ch)
            {
                if (ch is < 1 or > 12)
                {
                    return null;
                }
                hourOfAmPm = ch % 12;
            }
            if (Get(Field.HourOfAmPm) is { } kh)
            {
                if (kh is < 0 or > 11 || (hourOfAmPm is not null && hourOfAmPm != kh))
                {
                    return null;
                }
                hourOfAmPm = kh;
            }
            if (hourOfAmPm is not null)
            {
                if (ampm is null)
                {
                    return null; // the JDK cannot build a time from an hour of am/pm alone
                }
                var h24 = hourOfAmPm.Value + 12 * ampm.Value;
                if (hour is not null && hour != h24)
                {
                    return null;
                }
                hour = h24;
            }
            else if (ampm is not null && hour is not null && hour / 12 != ampm)
            {
                return null;
            }
            var minute = Get(Field.Minute);
            var second = Get(Field.Second);
            var nano = Get(Field.Nano);
            if (hour is null && (minute is not null || second is not null || nano is not null))
            {
                return null;
            }
            if (minute is < 0 or > 59 || second is < 0 or > 59 || nano is < 0 or > 999_999_999)
            {
                return null;
            }
            nanoOfDay = ((hour ?? 0) * 3600 + (minute ?? 0) * 60 + (second ?? 0)) * 1_000_000_000L + (nano ?? 0);
        }
        if (Get(Field.Nano) is { } n && (Get(Field.NanoOfDay) is not null || Get(Field.MilliOfDay) is not null) && nanoOfDay % 1_000_000_000L != n)
        {
            return null;
        }

        var local = date.AtMidnight().PlusNanoseconds(nanoOfDay);
        Instant instant;
        if (parsed.Zone is { } zone)
        {
            var mapping = zone.Zone.MapLocal(local);
            if (parsed.OffsetSeconds is { } preferred && mapping.Count == 2 && mapping.Last().Offset.Seconds == preferred)
            {
                instant = mapping.Last().ToInstant();
            }
            else
            {
                instant = local.InZoneLeniently(zone.Zone).ToInstant();
            }
        }
        else
        {
            instant = local.InZoneStrictly(DateTimeZone.ForOffset(Offset.FromSeconds(parsed.OffsetSeconds ?? 0))).ToInstant();
        }
        // Millisecond precision only.
        return instant.ToUnixTimeMilliseconds();
    }
}
