using System.Globalization;
using NodaTime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// Time-zone lookups for <c>parse_time</c> (Joda-Time zone ids and names) and <c>time_to_epoch</c> (JDK zone ids and
/// names), on NodaTime's tz database. Java's display names come from its locale data, which NodaTime lacks: short names
/// use the tz database abbreviation (numeric ones like "+04" fall back to the offset, as Joda does for unnamed zones),
/// long names come from a table of the common zones (US English).
/// </summary>
internal static class TimeZoneNames
{
    /// <summary>A zone and the id Joda/Java would print for it.</summary>
    internal readonly record struct NamedZone(DateTimeZone Zone, string Id);

    /// <summary>(abbreviation, long name, zone id used when parsing the name) — US English, as the JVM prints them.</summary>
    private static readonly (string Short, string Long, string ZoneId)[] Names =
    [
        ("UTC", "Coordinated Universal Time", "UTC"),
        ("GMT", "Greenwich Mean Time", "GMT"),
        ("EST", "Eastern Standard Time", "America/New_York"),
        ("EDT", "Eastern Daylight Time", "America/New_York"),
        ("CST", "Central Standard Time", "America/Chicago"),
        ("CDT", "Central Daylight Time", "America/Chicago"),
        ("MST", "Mountain Standard Time", "America/Denver"),
        ("MDT", "Mountain Daylight Time", "America/Denver"),
        ("PST", "Pacific Standard Time", "America/Los_Angeles"),
        ("PDT", "Pacific Daylight Time", "America/Los_Angeles"),
        ("AKST", "Alaska Standard Time", "America/Anchorage"),
        ("AKDT", "Alaska Daylight Time", "America/Anchorage"),
        ("HST", "Hawaii Standard Time", "Pacific/Honolulu"),
        ("AST", "Atlantic Standard Time", "America/Halifax"),
        ("ADT", "Atlantic Daylight Time", "America/Halifax"),
        ("NST", "Newfoundland Standard Time", "America/St_Johns"),
        ("NDT", "Newfoundland Daylight Time", "America/St_Johns"),
        ("BST", "British Summer Time", "Europe/London"),
        ("IST", "India Standard Time", "Asia/Kolkata"),
        ("WET", "Western European Time", "Europe/Lisbon"),
        ("WEST", "Western European Summer Time", "Europe/Lisbon"),
        ("CET", "Central European Time", "Europe/Paris"),
        ("CEST", "Central European Summer Time", "Europe/Paris"),
        ("EET", "Eastern European Time", "Europe/Athens"),
        ("EEST", "Eastern European Summer Time", "Europe/Athens"),
        ("MSK", "Moscow Standard Time", "Europe/Moscow"),
        ("JST", "Japan Standard Time", "Asia/Tokyo"),
        ("KST", "Korea Standard Time", "Asia/Seoul"),
        ("HKT", "Hong Kong Time", "Asia/Hong_Kong"),
        ("SGT", "Singapore Time", "Asia/Singapore"),
        ("AEST", "Australian Eastern Standard Time", "Australia/Sydney"),
        ("AEDT", "Australian Eastern Daylight Time", "Australia/Sydney"),
        ("ACST", "Australian Central Standard Time", "Australia/Adelaide"),
        ("ACDT", "Australian Central Daylight Time", "Australia/Adelaide"),
        ("AWST", "Australian Western Standard Time", "Australia/Perth"),
        ("NZST", "New Zealand Standard Time", "Pacific/Auckland"),
        ("NZDT", "New Zealand Daylight Time", "Pacific/Auckland"),
        ("SAST", "South Africa Standard Time", "Africa/Johannesburg"),
    ];

    /// <summary>Joda-Time's <c>DateTimeZone.forID</c>: "UTC", a tz id, or an offset "+HH", "+HH:mm", "+HHmm".</summary>
    public static NamedZone? ForJodaId(string id)
    {
        if (id.Length == 0)
        {
            return null;
        }
        if (id == "UTC")
        {
            return new NamedZone(DateTimeZone.Utc, "UTC");
        }
        if (id[0] is '+' or '-')
        {
            var pos = 0;
            if (!TryReadOffset(id, ref pos, requireTwoDigitHour: true, out var seconds) || pos != id.Length)
            {
                return null;
            }
            return seconds == 0 ? new NamedZone(DateTimeZone.Utc, "UTC") : FixedZone(seconds);
        }
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);
        return zone is null ? null : new NamedZone(zone, id);
    }

    /// <summary>A fixed-offset zone named as Joda and Java name it ("+01:00", "-05:30").</summary>
    public static NamedZone FixedZone(int offsetSeconds) =>
        new(DateTimeZone.ForOffset(Offset.FromSeconds(offsetSeconds)), FormatOffset(offsetSeconds, colon: true, zeroText: null));

    /// <summary>Reads a signed offset "±H[H][[:]MM[[:]SS]]" at <paramref name="pos"/>; seconds of offset.</summary>
    public static bool TryReadOffset(string text, ref int pos, bool requireTwoDigitHour, out int seconds)
    {
        seconds = 0;
        var i = pos;
        if (i >= text.Length || text[i] is not ('+' or '-'))
        {
            return false;
        }
        var sign = text[i] == '-' ? -1 : 1;
        i++;
        var digits = CountDigits(text, i, 2);
        if (digits == 0 || (requireTwoDigitHour && digits < 2))
        {
            return false;
        }
        var hours = int.Parse(text.AsSpan(i, digits), NumberStyles.None, CultureInfo.InvariantCulture);
        i += digits;
        var minutes = 0;
        var secs = 0;
        var colon = i < text.Length && text[i] == ':';
        var j = colon ? i + 1 : i;
        if (CountDigits(text, j, 2) == 2)
        {
            minutes = int.Parse(text.AsSpan(j, 2), NumberStyles.None, CultureInfo.InvariantCulture);
            i = j + 2;
            var k = colon && i < text.Length && text[i] == ':' ? i + 1 : (!colon ? i : -1);
            if (k >= 0 && CountDigits(text, k, 2) == 2)
            {
                secs = int.Parse(text.AsSpan(k, 2), NumberStyles.None, CultureInfo.InvariantCulture);
                i = k + 2;
            }
        }
        if (hours > 18 || minutes > 59 || secs > 59)
        {
            return false;
        }
        seconds = sign * (hours * 3600 + minutes * 60 + secs);
        if (Math.Abs(seconds) > 18 * 3600)
        {
            return false;
        }
        pos = i;
        return true;
    }

    /// <summary>True when <paramref name="text"/> has <paramref name="expected"/> at <paramref name="pos"/> (ordinal).</summary>
    public static bool TextAt(string text, int pos, string expected) =>
        pos + expected.Length <= text.Length && text.AsSpan(pos, expected.Length).SequenceEqual(expected);

    private static int CountDigits(string text, int start, int max)
    {
        var n = 0;
        while (n < max && start + n < text.Length && char.IsAsciiDigit(text[start + n]))
        {
            n++;
        }
        return n;
    }

    /// <summary>"+01:00" / "+0100" style offset text; <paramref name="zeroText"/> replaces a zero offset when given.</summary>
    public static string FormatOffset(int seconds, bool colon, string? zeroText)
    {
        if (seconds == 0 && zeroText is not null)
        {
            return zeroText;
        }
        var sign = seconds < 0 ? '-' : '+';
        var abs = Math.Abs(seconds);
        var hh = abs / 3600;
        var mm = abs / 60 % 60;
        var ss = abs % 60;
        var text = colon
            ? string.Create(CultureInfo.InvariantCulture, $"{sign}{hh:00}:{mm:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{sign}{hh:00}{mm:00}");
        if (ss != 0 && colon)
        {
            text += string.Create(CultureInfo.InvariantCulture, $":{ss:00}");
        }
        return text;
    }

    /// <summary>Joda's short zone name: "UTC", the zone's abbreviation ("CST"), else the offset ("+04:00").</summary>
    public static string ShortName(NamedZone zone, Instant instant)
    {
        var interval = zone.Zone.GetZoneInterval(instant);
        if (zone.Id == "UTC")
        {
            return "UTC";
        }
        var name = interval.Name;
        if (zone.Id[0] is '+' or '-')
        {
            return zone.Id;
        }
        if (name.Length == 0 || name[0] is '+' or '-' || char.IsAsciiDigit(name[0]))
        {
            return FormatOffset(interval.WallOffset.Seconds, colon: true, zeroText: null);
        }
        return name;
    }

    /// <summary>Joda's long zone name ("Central Standard Time") from the table, else the offset.</summary>
    public static string LongName(NamedZone zone, Instant instant)
    {
        var shortName = ShortName(zone, instant);
        foreach (var entry in Names)
        {
            if (entry.Short == shortName)
            {
                return entry.Long;
            }
        }
        return FormatOffset(zone.Zone.GetZoneInterval(instant).WallOffset.Seconds, colon: true, zeroText: null);
    }

    /// <summary>
    /// The JDK's zone-name parse (<c>z</c>): the longest zone name (short or long, from the table) at
    /// <paramref name="pos"/>; returns the zone the JDK maps it to.
    /// </summary>
    public static NamedZone? MatchName(string text, ref int pos)
    {
        var best = -1;
        var bestLength = 0;
        for (var i = 0; i < Names.Length; i++)
        {
            var (shortName, longName, _) = Names[i];
            if (longName.Length > bestLength && TextAt(text, pos, longName))
            {
                best = i;
                bestLength = longName.Length;
            }
            if (shortName.Length > bestLength && TextAt(text, pos, shortName))
            {
                best = i;
                bestLength = shortName.Length;
            }
        }
        if (best < 0)
        {
            return null;
        }
        var zoneId = Names[best].ZoneId;
        var zone = zoneId == "UTC" ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
        if (zone is null)
        {
            return null;
        }
        pos += bestLength;
        return new NamedZone(zone, zoneId);
    }

    /// <summary>
    /// The JDK's zone-id parse (<c>VV</c>): an offset ("+01:00"), "Z", "UTC"/"GMT"/"UT" optionally followed by an offset
    /// ("UTC+01:00"), or the longest tz id at <paramref name="pos"/> (case-sensitive).
    /// </summary>
    public static NamedZone? MatchZoneId(string text, ref int pos)
    {
        if (pos >= text.Length)
        {
            return null;
        }
        if (text[pos] is '+' or '-')
        {
            var p = pos;
            if (!TryReadOffset(text, ref p, requireTwoDigitHour: false, out var seconds))
            {
                return null;
            }
            pos = p;
            return FixedZone(seconds);
        }
        foreach (var prefix in (ReadOnlySpan<string>)["UTC", "GMT", "UT"])
        {
            if (TextAt(text, pos, prefix))
            {
                var p = pos + prefix.Length;
                if (p < text.Length && text[p] is '+' or '-' && TryReadOffset(text, ref p, requireTwoDigitHour: false, out var seconds))
                {
                    pos = p;
                    return new NamedZone(DateTimeZone.ForOffset(Offset.FromSeconds(seconds)), prefix + FormatOffset(seconds, colon: true, zeroText: null));
                }
                break;
            }
        }
        // Longest run of id characters, then the longest prefix of it that is a known id.
        var end = pos;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '/' or '_' or '-' or '+' or '~'))
        {
            end++;
        }
        for (var stop = end; stop > pos; stop--)
        {
            var candidate = text[pos..stop];
            if (candidate == "Z")
            {
                pos = stop;
                return new NamedZone(DateTimeZone.Utc, "Z");
            }
            var zone = candidate == "UTC" ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(candidate);
            if (zone is not null)
            {
                pos = stop;
                return new NamedZone(zone, candidate);
            }
        }
        return null;
    }
}
