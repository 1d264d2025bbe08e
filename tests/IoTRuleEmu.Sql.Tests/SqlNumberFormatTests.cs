using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests;

public class SqlNumberFormatTests
{
    [Theory]
    [InlineData(5.0, "5.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(36.903999599999999, "36.9039996")]
    [InlineData(36.903999599999977, "36.90399959999998")]
    [InlineData(-25.2632837000000772, "-25.263283700000077")]
    [InlineData(1e21, "1.0E21")]
    [InlineData(1e7, "1.0E7")]
    [InlineData(9999999.0, "9999999.0")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(1.5707963267948966, "1.5707963267948966")]
    [InlineData(-1.234e-5, "-1.234E-5")]
    [InlineData(123456.789, "123456.789")]
    public void JavaDoubleToString_MatchesJava(double value, string expected) =>
        Assert.Equal(expected, SqlNumberFormat.JavaDoubleToString(value));

    [Theory]
    [InlineData(5.0, "5")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(2.5, "2.5")]
    [InlineData(-3.0, "-3")]
    [InlineData(1e-5, "1.0E-5")]
    public void FormatDecimal_2016_PrintsWholeNumbersAsInt(double value, string expected) =>
        Assert.Equal(expected, SqlNumberFormat.FormatDecimal(value, SqlVersion.V2016_03_23));

    [Fact]
    public void FormatDecimal_2015_KeepsFraction() =>
        Assert.Equal("5.0", SqlNumberFormat.FormatDecimal(5.0, SqlVersion.V2015_10_08));
}
