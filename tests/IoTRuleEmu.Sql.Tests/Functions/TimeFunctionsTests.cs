using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>
/// timestamp(), parse_time (Joda-Time patterns and zones) and time_to_epoch (JDK 11 DateTimeFormatter patterns):
/// the spec's examples exactly, each pattern letter, zones by id/offset/name, bad input → Undefined.
/// </summary>
public class TimeFunctionsTests
{
    // 1700000000123 = 2023-11-14T22:13:20.123Z (a Tuesday; ISO week 46; day 318)
    private const string T = "1700000000123";

    [Theory]
    [InlineData("String:1970.01.01 AD at 21:46:40 CST", "\"yyyy.MM.dd G 'at' HH:mm:ss z\"", "100000000", "\"America/Belize\"")]
    [InlineData("String:2023", "\"yyyy\"", T, "\"UTC\"")]
    [InlineData("String:2023", "\"yyyy\"", T)]
    [InlineData("String:2023-11-14T22:13:20.123+0000", "\"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"", T)]
    [InlineData("String:+00:00", "\"ZZ\"", T)]
    [InlineData("String:America/New_York", "\"ZZZ\"", T, "\"America/New_York\"")]
    [InlineData("String:-0500 -05:00", "\"Z ZZ\"", T, "\"America/New_York\"")]
    [InlineData("String:Tuesday, November 14, 23 5:13 PM", "\"EEEE, MMMM d, yy h:mm a\"", T, "\"America/New_York\"")]
    [InlineData("String:Tue Nov 14", "\"EEE MMM dd\"", T)]
    [InlineData("String:EST / Eastern Standard Time", "\"z / zzzz\"", T, "\"America/New_York\"")]
    [InlineData("String:UTC / Coordinated Universal Time", "\"z / zzzz\"", T)]
    [InlineData("String:BST", "\"z\"", "1688212800000", "\"Europe/London\"")]
    [InlineData("String:+04:00", "\"z\"", T, "\"Asia/Dubai\"")]
    [InlineData("String:318 0318", "\"D DDDD\"", T)]
    [InlineData("String:2023-W46-2", "\"xxxx-'W'ww-e\"", T)]
    [InlineData("String:20 2023 23", "\"C Y YY\"", T)]
    [InlineData("String:1 12 123 123000", "\"S SS SSS SSSSSS\"", T)]
    [InlineData("String:24 0 12 AM 00", "\"k K h a HH\"", "0")]
    [InlineData("String:12 12 0 PM", "\"h k K a\"", "43200000")]
    [InlineData("String:1970-01-01 05:30 +0530 +05:30 +05:30", "\"yyyy-MM-dd HH:mm Z z ZZZ\"", "0", "\"+05:30\"")]
    [InlineData("String:UTC", "\"ZZZ\"", "0", "\"+00:00\"")]
    [InlineData("String:1969-12-31 23:59:59", "\"yyyy-MM-dd HH:mm:ss\"", "-1000")]
    [InlineData("String:o'clock 10", "\"'o''clock' h\"", "36000000")]
    [InlineData("String:1970/01/02 - 3", "\"yyyy/MM/dd - H\"", "100000000")]
    [InlineData("String:1970-01-02", "\"yyyy-MM-dd\"", "\"100000000\"")]
    [InlineData("String:03:46:40.000", "\"HH:mm:ss.SSS\"", "100000000.9")]
    [InlineData("String:2023", "\"yyyy\"", T, "\"Etc/GMT+5\"")]
    [InlineData("Undefined", "\"yyyy\"", T, "\"Mars/Base\"")]
    [InlineData("Undefined", "\"yyyy\"", T, "\"utc\"")]
    [InlineData("Undefined", "\"yyyy-qq\"", T)]
    [InlineData("Undefined", "\"\"", T)]
    [InlineData("Undefined", "\"yyyy\"", "null")]
    [InlineData("Undefined", "\"yyyy\"", "\"abc\"")]
    [InlineData("Undefined", "\"yyyy\"", "true")]
    [InlineData("Undefined", "null", T)]
    [InlineData("Undefined", "\"yyyy\"", T, "null")]
    [InlineData("Undefined", "\"yyyy\"", "1e300")]
    public void ParseTime_PatternMillisZone(string expected, params string[] args) =>
        Assert.Equal(expected, Fn.Eval("parse_time", args));

    [Theory]
    [InlineData("Int:1585903518000", "2020-04-03 09:45:18 UTC+01:00", "yyyy-MM-dd HH:mm:ss VV")]
    [InlineData("Int:1450396800000", "18 December 2015", "dd MMMM yyyy")]
    [InlineData("Int:1196705730592", "2007-12-03 10:15:30.592 America/Los_Angeles", "yyyy-MM-dd HH:mm:ss.SSS z")]
    [InlineData("Int:1585907118000", "2020-04-03T09:45:18Z", "yyyy-MM-dd'T'HH:mm:ssX")]
    [InlineData("Int:1585903518000", "2020-04-03T09:45:18+01", "yyyy-MM-dd'T'HH:mm:ssX")]
    [InlineData("Int:1585903518000", "2020-04-03 09:45:18 +0100", "yyyy-MM-dd HH:mm:ss Z")]
    [InlineData("Int:1585907118000", "2020-04-03 09:45:18 +0000", "yyyy-MM-dd HH:mm:ss Z")]
    [InlineData("Int:1585903518000", "2020-04-03 09:45:18 +01:00", "yyyy-MM-dd HH:mm:ss xxx")]
    [InlineData("Int:1585907118000", "2020-04-03 09:45:18 Z", "yyyy-MM-dd HH:mm:ss XXX")]
    [InlineData("Undefined", "2020-04-03 09:45:18 Z", "yyyy-MM-dd HH:mm:ss xxx")]
    [InlineData("Int:1585903518000", "2020-04-03 09:45:18 Europe/London", "yyyy-MM-dd HH:mm:ss VV")]
    [InlineData("Int:1585907118000", "20200403094518", "yyyyMMddHHmmss")]
    [InlineData("Int:1585950300000", "2020-04-03 9:45 PM", "yyyy-MM-dd h:mm a")]
    [InlineData("Int:1585907100000", "2020-04-03 9:45 AM", "yyyy-MM-dd h:mm a")]
    [InlineData("Undefined", "2020-04-03 9:45", "yyyy-MM-dd h:mm")]
    [InlineData("Int:1585872000000", "2020-04-03", "yyyy-MM-dd")]
    [InlineData("Int:1585872000000", "2020-4-3", "yyyy-M-d")]
    [InlineData("Int:1614470400000", "2021-02-30", "yyyy-MM-dd")]
    [InlineData("Undefined", "2021-02-32", "yyyy-MM-dd")]
    [InlineData("Undefined", "2021-13-01", "yyyy-MM-dd")]
    [InlineData("Undefined", "2020-04-03 extra", "yyyy-MM-dd")]
    [InlineData("Undefined", "2020-04", "yyyy-MM")]
    [InlineData("Undefined", "10:00", "HH:mm")]
    [InlineData("Int:1585907118000", "Fri, 03 Apr 2020 09:45:18 GMT", "EEE, dd MMM yyyy HH:mm:ss z")]
    [InlineData("Undefined", "Sat, 03 Apr 2020 09:45:18 GMT", "EEE, dd MMM yyyy HH:mm:ss z")]
    [InlineData("Undefined", "fri, 03 Apr 2020 09:45:18 GMT", "EEE, dd MMM yyyy HH:mm:ss z")]
    [InlineData("Int:1585907118000", "Friday 3 April 2020 09:45:18 Coordinated Universal Time", "EEEE d MMMM yyyy HH:mm:ss zzzz")]
    [InlineData("Int:1585932318000", "2020-04-03 09:45:18 PST", "yyyy-MM-dd HH:mm:ss z")]
    [InlineData("Int:1593597600000", "2020-07-01 12:00 GMT+02:00", "yyyy-MM-dd HH:mm OOOO")]
    [InlineData("Int:1593597600000", "2020-07-01 12:00 GMT+2", "yyyy-MM-dd HH:mm O")]
    [InlineData("Int:1585872000000", "2020-04-03", "yyyy-MM-dd[ HH:mm]")]
    [InlineData("Int:1585908000000", "2020-04-03 10:00", "yyyy-MM-dd[ HH:mm]")]
    [InlineData("Int:1585907118500", "2020-04-03 09:45:18.5", "yyyy-MM-dd HH:mm:ss.S")]
    [InlineData("Int:1585907118123", "2020-04-03 09:45:18.123456789", "yyyy-MM-dd HH:mm:ss.SSSSSSSSS")]
    [InlineData("Undefined", "2020-04-03 09:45:18.12", "yyyy-MM-dd HH:mm:ss.SSS")]
    [InlineData("Int:1585872000000", "20-04-03", "yy-MM-dd")]
    [InlineData("Int:1585872000000", "2020-04-03 AD", "uuuu-MM-dd G")]
    [InlineData("Int:1585612800000", "2020-091", "yyyy-DDD")]
    [InlineData("Int:1583652600000", "2020-03-08 02:30 America/New_York", "yyyy-MM-dd HH:mm VV")]
    [InlineData("Int:1604208600000", "2020-11-01 01:30 America/New_York", "yyyy-MM-dd HH:mm VV")]
    [InlineData("Int:1585907118000", "2020-04-03 09:45:18 'Z'", "yyyy-MM-dd HH:mm:ss ''X''")]
    [InlineData("Int:1585872000000", "Q2 2020-04-03", "QQQ yyyy-MM-dd")]
    [InlineData("Undefined", "Q1 2020-04-03", "QQQ yyyy-MM-dd")]
    [InlineData("Undefined", "2020-15", "YYYY-ww")]
    [InlineData("Undefined", "2020-04-03 10", "yyyy-MM-dd HHH")]
    [InlineData("Undefined", "2020-04-03", "yyyy-MM-dd {")]
    [InlineData("Undefined", "2020-04-03", "yyyy-MM-dd 'unterminated")]
    [InlineData("Undefined", "", "yyyy")]
    public void TimeToEpoch_TextPattern(string expected, string text, string pattern) =>
        Assert.Equal(expected, Fn.Show(Fn.Call("time_to_epoch", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, SqlValue.FromString(text), SqlValue.FromString(pattern))));

    [Theory]
    [InlineData("null", "\"yyyy\"")]
    [InlineData("undefined", "\"yyyy\"")]
    [InlineData("\"2020\"", "null")]
    public void TimeToEpoch_NullOrUndefined_IsUndefined(string text, string pattern) =>
        Assert.Equal("Undefined", Fn.Eval("time_to_epoch", text, pattern));

    [Fact]
    public void TimeToEpoch_NumberText_IsConvertedToString() =>
        Assert.Equal("Int:1577836800000", Fn.Eval("time_to_epoch", "20200101", "\"yyyyMMdd\""));

    [Fact]
    public void Timestamp_IsMessageTimestamp()
    {
        var message = new SqlMessage { Topic = "t", TimestampMs = 1_481_825_251_155 };
        Assert.Equal("Int:1481825251155", Fn.EvalWith(message, "timestamp"));
    }

    [Fact]
    public void ParseTime_OfTimestamp_RoundTripsThroughTimeToEpoch()
    {
        var text = Fn.Call("parse_time", SqlVersion.V2016_03_23, Fn.DefaultMessage, null,
            SqlValue.FromString("yyyy-MM-dd'T'HH:mm:ss.SSSZZ"), SqlValue.FromInt(1_700_000_000_123), SqlValue.FromString("Europe/Paris"));
        Assert.Equal("String:2023-11-14T23:13:20.123+01:00", Fn.Show(text));
        var back = Fn.Call("time_to_epoch", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, text, SqlValue.FromString("yyyy-MM-dd'T'HH:mm:ss.SSSxxx"));
        Assert.Equal("Int:1700000000123", Fn.Show(back));
    }
}
