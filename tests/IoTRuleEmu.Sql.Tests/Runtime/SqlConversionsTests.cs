using IoTRuleEmu.Sql.Runtime;
using IoTRuleEmu.Sql.Tests.Functions;

namespace IoTRuleEmu.Sql.Tests.Runtime;

/// <summary>Every row of the implicit-conversion table (spec §2.3) and the numeric-string rule.</summary>
public class SqlConversionsTests
{
    // from → Decimal
    [Theory]
    [InlineData("5", "Decimal:5.0")]
    [InlineData("2.5", "Decimal:2.5")]
    [InlineData("true", "Undefined")]
    [InlineData("\"0\"", "Decimal:0.0")]
    [InlineData("\"-1.2\"", "Decimal:-1.2")]
    [InlineData("\"5E-12\"", "Decimal:5.0E-12")]
    [InlineData("\"5e3\"", "Decimal:5000.0")]
    [InlineData("\"abc\"", "Undefined")]
    [InlineData("[1]", "Undefined")]
    [InlineData("{\"a\":1}", "Undefined")]
    [InlineData("null", "Null")]
    [InlineData("undefined", "Undefined")]
    public void ToDecimal_Table(string from, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlConversions.ToDecimal(Fn.Arg(from))));

    // from → Int
    [Theory]
    [InlineData("5", "Int:5")]
    [InlineData("2.5", "Int:3")]
    [InlineData("2.4", "Int:2")]
    [InlineData("-2.5", "Int:-3")]
    [InlineData("true", "Undefined")]
    [InlineData("\"7.9\"", "Int:7")]
    [InlineData("\"-7.9\"", "Int:-7")]
    [InlineData("\"12\"", "Int:12")]
    [InlineData("\"x\"", "Undefined")]
    [InlineData("[1]", "Undefined")]
    [InlineData("{\"a\":1}", "Undefined")]
    [InlineData("null", "Null")]
    [InlineData("undefined", "Undefined")]
    public void ToInt_Table(string from, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlConversions.ToInt(Fn.Arg(from))));

    // from → Boolean
    [Theory]
    [InlineData("1", "Undefined")]
    [InlineData("0.0", "Undefined")]
    [InlineData("true", "Boolean:true")]
    [InlineData("false", "Boolean:false")]
    [InlineData("\"TRUE\"", "Boolean:true")]
    [InlineData("\"False\"", "Boolean:false")]
    [InlineData("\"yes\"", "Undefined")]
    [InlineData("[true]", "Undefined")]
    [InlineData("{\"a\":true}", "Undefined")]
    [InlineData("null", "Undefined")]
    [InlineData("undefined", "Undefined")]
    public void ToBoolean_Table(string from, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlConversions.ToBoolean(Fn.Arg(from))));

    // from → String
    [Theory]
    [InlineData("5", SqlVersion.V2015_10_08, "String:5")]
    [InlineData("-12345678901234567890123", SqlVersion.V2015_10_08, "String:-12345678901234567890123")]
    [InlineData("2.5", SqlVersion.V2015_10_08, "String:2.5")]
    [InlineData("5.0", SqlVersion.V2015_10_08, "String:5.0")]
    [InlineData("5.0", SqlVersion.V2016_03_23, "String:5")]
    [InlineData("1.0E-5", SqlVersion.V2016_03_23, "String:1.0E-5")]
    [InlineData("true", SqlVersion.V2016_03_23, "String:true")]
    [InlineData("false", SqlVersion.V2016_03_23, "String:false")]
    [InlineData("\"abc\"", SqlVersion.V2016_03_23, "String:abc")]
    [InlineData("[\"a\",1,true,null]", SqlVersion.V2016_03_23, "String:[\"a\",1,true,null]")]
    [InlineData("{\"k\":\"v\",\"n\":1}", SqlVersion.V2016_03_23, "String:{\"k\":\"v\",\"n\":1}")]
    [InlineData("null", SqlVersion.V2016_03_23, "Undefined")]
    [InlineData("undefined", SqlVersion.V2016_03_23, "Undefined")]
    public void ToString_Table(string from, SqlVersion version, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlConversions.ToStringValue(Fn.Arg(from), version)));

    [Theory]
    [InlineData("0", true)]
    [InlineData("-1.2", true)]
    [InlineData("5E-12", true)]
    [InlineData("5e12", true)]
    [InlineData("+5", false)]
    [InlineData(".5", false)]
    [InlineData("5.", false)]
    [InlineData("1e+5", false)]
    [InlineData("0x1F", false)]
    [InlineData(" 5", false)]
    [InlineData("5 ", false)]
    [InlineData("", false)]
    [InlineData("-", false)]
    [InlineData("1e", false)]
    [InlineData("1e999", false)]
    public void TryParseNumericString_Regex(string text, bool ok) =>
        Assert.Equal(ok, SqlConversions.TryParseNumericString(text, out _));

    // num-conv (function argument rule)
    [Theory]
    [InlineData("5", "Int:5")]
    [InlineData("2.5", "Decimal:2.5")]
    [InlineData("\"3\"", "Decimal:3.0")]
    [InlineData("\"x\"", "Undefined")]
    [InlineData("true", "Undefined")]
    [InlineData("null", "Undefined")]
    [InlineData("undefined", "Undefined")]
    [InlineData("[1]", "Undefined")]
    [InlineData("{}", "Undefined")]
    public void ToNumber_NumConv(string from, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlConversions.ToNumber(Fn.Arg(from))));
}
