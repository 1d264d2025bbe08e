using IoTRuleEmu.Sql.Runtime;
using static IoTRuleEmu.Sql.Tests.SqlTestHelper;

namespace IoTRuleEmu.Sql.Tests.Evaluation;

/// <summary>Every row of the operator type tables (iot-sql.md §2.4). "" is Undefined.</summary>
public class OperatorTests
{
    [Theory]
    // AND / OR: Booleans, "true"/"false" strings (any case); anything else → Undefined; no short-circuit to false.
    [InlineData("b AND b", "true")]
    [InlineData("b AND f", "false")]
    [InlineData("t AND b", "true")]
    [InlineData("'FALSE' AND b", "false")]
    [InlineData("b AND i", "")]
    [InlineData("f AND u", "")]
    [InlineData("b AND nul", "")]
    [InlineData("b OR f", "true")]
    [InlineData("f OR f", "false")]
    [InlineData("f OR 'TRUE'", "true")]
    [InlineData("b OR u", "")]
    [InlineData("b OR s", "")]
    // NOT
    [InlineData("NOT b", "false")]
    [InlineData("NOT 'false'", "true")]
    [InlineData("NOT i", "")]
    [InlineData("NOT u", "")]
    public void Logic(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("i = 5", "true")]
    [InlineData("i = 5.0", "true")]
    [InlineData("d = 2.5", "true")]
    [InlineData("s = 'abc'", "true")]
    [InlineData("s = 'ABC'", "false")]
    [InlineData("arr = arr2", "true")]
    [InlineData("arr = [2,1]", "false")]
    [InlineData("obj = obj2", "true")]
    [InlineData("obj = {'a':1,'b':2}", "false")]
    [InlineData("n5 = 5", "false")]
    [InlineData("t = true", "false")]
    [InlineData("b = true", "true")]
    [InlineData("nul = NULL", "true")]
    [InlineData("i = u", "")]
    [InlineData("u = u", "")]
    [InlineData("i <> 5", "false")]
    [InlineData("i <> 6", "true")]
    [InlineData("i != 6", "true")]
    [InlineData("n5 <> 5", "true")]
    [InlineData("nul <> NULL", "false")]
    [InlineData("s <> u", "")]
    public void Equality(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("i > 4", "true")]
    [InlineData("i > d", "true")]
    [InlineData("d >= 2.5", "true")]
    [InlineData("i < 5", "false")]
    [InlineData("i <= 5", "true")]
    [InlineData("n5 > 4", "true")]
    [InlineData("nd < 2", "true")]
    [InlineData("'abc' < 'abd'", "")]
    [InlineData("s > 1", "")]
    [InlineData("b > 0", "")]
    [InlineData("nul > 0", "")]
    [InlineData("u > 0", "")]
    [InlineData("arr > 0", "")]
    [InlineData("obj > 0", "")]
    [InlineData("12345678901234567890123 > 12345678901234567890122", "true")]
    public void Comparison(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("i IN arr", "false")]
    [InlineData("1 IN arr", "true")]
    [InlineData("'abc' IN ['x', s]", "true")]
    [InlineData("[1,2] IN [[1,2],3]", "true")]
    [InlineData("{'a':1} IN [obj]", "true")]
    [InlineData("1 IN obj", "")]
    [InlineData("u IN arr", "")]
    public void In(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("i + j", "7")]
    [InlineData("i + d", "7.5")]
    [InlineData("d + d", "5")]
    [InlineData("1 + '2'", "\"12\"")]
    [InlineData("s + i", "\"abc5\"")]
    [InlineData("s + true", "\"abctrue\"")]
    [InlineData("'x' + arr", "\"x[1,2]\"")]
    [InlineData("'x' + obj", "\"x{\\\"a\\\":1}\"")]
    [InlineData("n5 + 2", "\"52\"")]
    [InlineData("s + nul", "")]
    [InlineData("s + u", "")]
    [InlineData("b + 1", "")]
    [InlineData("nul + 1", "")]
    [InlineData("9223372036854775807 + 1", "9223372036854775808")]
    public void Add(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("i - j", "3")]
    [InlineData("i * j", "10")]
    [InlineData("i / j", "2")]
    [InlineData("-7 / 2", "-3")]
    [InlineData("i / d", "2")]
    [InlineData("d * 2", "5")]
    [InlineData("n5 - 2", "3")]
    [InlineData("nd * 2", "3")]
    [InlineData("s - 1", "")]
    [InlineData("b * 2", "")]
    [InlineData("nul - 1", "")]
    [InlineData("u * 2", "")]
    [InlineData("i / 0", "")]
    [InlineData("d / 0", "")]
    [InlineData("i % 0", "")]
    [InlineData("i % j", "1")]
    [InlineData("-7 % 3", "-1")]
    [InlineData("7.5 % 2", "1.5")]
    [InlineData("'7' % 2", "1")]
    [InlineData("(50 - 32) * 5 / 9", "10")]
    [InlineData("-i", "-5")]
    [InlineData("-d", "-2.5")]
    [InlineData("-n5", "-5")]
    [InlineData("-s", "")]
    [InlineData("-(-9223372036854775808)", "9223372036854775808")]
    [InlineData("9223372036854775807 * 10", "92233720368547758070")]
    public void Arithmetic(string expr, string expected) => Assert.Equal(expected, Value(expr));

    [Theory]
    [InlineData("n5 - 2", "3.0")]
    [InlineData("d * 2", "5.0")]
    [InlineData("i / j", "2")]
    public void Arithmetic_2015_KeepsDecimalFraction(string expr, string expected) =>
        Assert.Equal(expected, Value(expr, SqlVersion.V2015_10_08));

    [Fact]
    public void Precedence_MultiplicationBeforeAddition_ComparisonBeforeNot_AndBeforeOr()
    {
        Assert.Equal("7", Value("1 + 2 * 3"));
        Assert.Equal("9", Value("(1 + 2) * 3"));
        Assert.Equal("true", Value("NOT i = 4"));
        Assert.Equal("true", Value("true OR true AND false"));
        Assert.Equal("-1", Value("2 - 3"));
        Assert.Equal("1", Value("8 - 4 - 3"));
    }

    [Theory]
    [InlineData("CASE s WHEN 'x' THEN 1 WHEN 'abc' THEN 2 ELSE 3 END", "2")]
    [InlineData("CASE s WHEN 'x' THEN 1 ELSE 3 END", "3")]
    [InlineData("CASE s WHEN 'x' THEN 1 END", "")]
    [InlineData("CASE u WHEN 'x' THEN 1 ELSE 3 END", "")]
    [InlineData("CASE nul WHEN NULL THEN 'null' ELSE 'other' END", "\"null\"")]
    [InlineData("CASE i WHEN 5.0 THEN 'five' END", "\"five\"")]
    [InlineData("case i when 5 then 'lower-case keywords' end", "\"lower-case keywords\"")]
    public void Case(string expr, string expected) => Assert.Equal(expected, Value(expr));
}
