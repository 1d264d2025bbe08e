namespace IoTRuleEmu.Sql.Tests.Functions;

public class SmokeTests
{
    [Fact]
    public void Smoke()
    {
        var lines = new List<string>
        {
            Fn.Eval("md2", "\"hello\""), Fn.Eval("md2", "\"\""), Fn.Eval("md2", "\"abc\""),
            Fn.Eval("sha224", "\"\""), Fn.Eval("sha224", "\"abc\""), Fn.Eval("md5", "\"iot123\""),
            Fn.Eval("parse_time", "\"yyyy.MM.dd G 'at' HH:mm:ss z\"", "100000000", "\"America/Belize\""),
            Fn.Eval("time_to_epoch", "\"2020-04-03 09:45:18 UTC+01:00\"", "\"yyyy-MM-dd HH:mm:ss VV\""),
            Fn.Eval("time_to_epoch", "\"18 December 2015\"", "\"dd MMMM yyyy\""),
            Fn.Eval("time_to_epoch", "\"2007-12-03 10:15:30.592 America/Los_Angeles\"", "\"yyyy-MM-dd HH:mm:ss.SSS z\""),
            Fn.Eval("regexp_replace", "\"abcd\"", "\"b(.*)d\"", "\"$1\""),
            Fn.Eval("regexp_substr", "\"hihihello\"", "\"(hi)*\""),
            Fn.Eval("trunc", "2.3123", "2"), Fn.Eval("trunc", "2.3", "0"), Fn.Eval("trunc", "2.888", "2"),
            Fn.Eval("substring", "false", "-2.411E247"),
        };
        Assert.Fail(string.Join("\n", lines));
    }
}
