using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>The math functions of spec §3.1: every example, and each argument-type row (num-conv).</summary>
public class MathFunctionsTests
{
    [Theory]
    // abs: Int → Int, Decimal → Decimal, numeric String → Decimal, others Undefined
    [InlineData("abs", "Int:5", "-5")]
    [InlineData("abs", "Int:5", "5")]
    [InlineData("abs", "Decimal:2.5", "-2.5")]
    [InlineData("abs", "Decimal:3.0", "\"-3\"")]
    [InlineData("abs", "Int:9223372036854775808", "-9223372036854775808")]
    [InlineData("abs", "Undefined", "\"abc\"")]
    [InlineData("abs", "Undefined", "true")]
    [InlineData("abs", "Undefined", "null")]
    [InlineData("abs", "Undefined", "undefined")]
    [InlineData("abs", "Undefined", "[1]")]
    [InlineData("abs", "Undefined", "{\"a\":1}")]
    [InlineData("abs", "Undefined", "\"+5\"")]
    // trigonometry (double results)
    [InlineData("acos", "Decimal:1.5707963267948966", "0")]
    [InlineData("asin", "Decimal:0.0", "0")]
    [InlineData("atan", "Decimal:0.0", "0")]
    [InlineData("acos", "Undefined", "2")]
    [InlineData("asin", "Undefined", "-1.5")]
    [InlineData("acos", "Decimal:0.0", "\"1\"")]
    [InlineData("acos", "Undefined", "null")]
    [InlineData("atan2", "Decimal:1.5707963267948966", "1", "0")]
    [InlineData("atan2", "Decimal:0.0", "0", "1")]
    [InlineData("atan2", "Undefined", "1", "\"x\"")]
    [InlineData("atan2", "Undefined", "undefined", "1")]
    [InlineData("cos", "Decimal:1.0", "0")]
    [InlineData("sin", "Decimal:0.0", "0")]
    [InlineData("tan", "Decimal:-0.1425465430742778", "3")]
    [InlineData("sinh", "Decimal:4.936961805545957", "2.3")]
    [InlineData("cosh", "Decimal:5.037220649268761", "2.3")]
    [InlineData("tanh", "Decimal:0.9800963962661914", "2.3")]
    [InlineData("sin", "Undefined", "false")]
    // ceil / floor / round → Int
    [InlineData("ceil", "Int:2", "1.2")]
    [InlineData("ceil", "Int:-1", "-1.2")]
    [InlineData("ceil", "Int:7", "7")]
    [InlineData("ceil", "Int:2", "\"1.2\"")]
    [InlineData("ceil", "Undefined", "\"a\"")]
    [InlineData("floor", "Int:1", "1.2")]
    [InlineData("floor", "Int:-2", "-1.2")]
    [InlineData("floor", "Int:7", "7")]
    [InlineData("floor", "Undefined", "[1,2,3]")]
    [InlineData("round", "Int:2", "1.5")]
    [InlineData("round", "Int:-2", "-1.5")]
    [InlineData("round", "Int:-1", "-1.1")]
    [InlineData("round", "Int:2", "1.7")]
    [InlineData("round", "Int:3", "3")]
    [InlineData("round", "Int:3", "\"2.5\"")]
    [InlineData("round", "Undefined", "null")]
    // trunc
    [InlineData("trunc", "Int:2", "2.3", "0")]
    [InlineData("trunc", "Decimal:2.31", "2.3123", "2")]
    [InlineData("trunc", "Decimal:2.88", "2.888", "2")]
    [InlineData("trunc", "Int:2", "2.00", "5")]
    [InlineData("trunc", "Int:7", "7", "2")]
    [InlineData("trunc", "Decimal:-2.88", "-2.888", "2")]
    [InlineData("trunc", "Decimal:2.888", "2.888", "40")]
    [InlineData("trunc", "Int:2", "2.888", "-3")]
    [InlineData("trunc", "Decimal:2.8", "2.888", "1.9")]
    [InlineData("trunc", "Decimal:1.0E-30", "1.0E-30", "34")]
    [InlineData("trunc", "Int:0", "1.0E-30", "2")]
    [InlineData("trunc", "Decimal:2.3", "\"2.345\"", "1")]
    [InlineData("trunc", "Undefined", "\"x\"", "1")]
    [InlineData("trunc", "Undefined", "2.5", "null")]
    [InlineData("trunc", "Undefined", "2.5", "true")]
    // sign → Int
    [InlineData("sign", "Int:-1", "-7")]
    [InlineData("sign", "Int:0", "0")]
    [InlineData("sign", "Int:1", "13")]
    [InlineData("sign", "Int:-1", "-0.5")]
    [InlineData("sign", "Int:1", "\"2.5\"")]
    [InlineData("sign", "Undefined", "\"two\"")]
    // sqrt, exp, ln, log, power
    [InlineData("sqrt", "Decimal:3.0", "9")]
    [InlineData("sqrt", "Decimal:1.5", "2.25")]
    [InlineData("sqrt", "Undefined", "-1")]
    [InlineData("exp", "Decimal:2.718281828459045", "1")]
    [InlineData("exp", "Undefined", "1000")]
    [InlineData("ln", "Decimal:1.0", "2.718281828459045")]
    [InlineData("ln", "Undefined", "0")]
    [InlineData("ln", "Undefined", "-1")]
    [InlineData("log", "Decimal:2.0", "100")]
    [InlineData("log", "Undefined", "0")]
    [InlineData("log", "Decimal:3.0", "\"1000\"")]
    [InlineData("power", "Decimal:32.0", "2", "5")]
    [InlineData("power", "Decimal:0.5", "2", "-1")]
    [InlineData("power", "Undefined", "-8", "0.5")]
    [InlineData("power", "Undefined", "2", "undefined")]
    // mod / remainder
    [InlineData("mod", "Int:2", "8", "3")]
    [InlineData("mod", "Int:-2", "-8", "3")]
    [InlineData("mod", "Int:2", "8", "-3")]
    [InlineData("mod", "Decimal:2.5", "8.5", "3")]
    [InlineData("mod", "Decimal:2.0", "\"8\"", "3")]
    [InlineData("mod", "Undefined", "8", "0")]
    [InlineData("mod", "Undefined", "8.5", "0")]
    [InlineData("mod", "Undefined", "8", "\"x\"")]
    [InlineData("mod", "Int:0", "-9223372036854775808", "-1")]
    [InlineData("remainder", "Int:2", "8", "3")]
    [InlineData("remainder", "Undefined", "null", "3")]
    // bit functions: Int; Decimal and numeric String rounded down
    [InlineData("bitand", "Int:5", "13", "5")]
    [InlineData("bitand", "Int:5", "13.9", "5")]
    [InlineData("bitand", "Int:5", "\"13.5\"", "5")]
    [InlineData("bitand", "Undefined", "\"x\"", "5")]
    [InlineData("bitand", "Undefined", "true", "5")]
    [InlineData("bitor", "Int:13", "8", "5")]
    [InlineData("bitor", "Int:-1", "-1.5", "1")]
    [InlineData("bitxor", "Int:8", "13", "5")]
    [InlineData("bitxor", "Undefined", "13", "null")]
    [InlineData("bitnot", "Int:-14", "13")]
    [InlineData("bitnot", "Int:-14", "13.7")]
    [InlineData("bitnot", "Int:-14", "\"13\"")]
    [InlineData("bitnot", "Undefined", "[13]")]
    [InlineData("bitand", "Int:1", "99999999999999999999", "1")]
    public void Function_Argument_Result(string name, string expected, params string[] args) =>
        Assert.Equal(expected, Fn.Eval(name, args));

    [Fact]
    public void Rand_IsDecimalInUnitInterval()
    {
        for (var i = 0; i < 50; i++)
        {
            var value = Fn.Call("rand", SqlVersion.V2015_10_08, Fn.DefaultMessage, null);
            Assert.Equal(SqlType.Decimal, value.Type);
            Assert.InRange(value.AsDouble, 0.0, 0.9999999999999999);
        }
    }

    [Theory]
    [InlineData(2.3123, 2, 2.31)]
    [InlineData(123456.789, 1, 123456.7)]
    [InlineData(0.000123456, 5, 0.00012)]
    [InlineData(1.5e20, 0, 1.5e20)]
    [InlineData(-0.999, 0, 0.0)]
    public void TruncateDecimalPlaces_CutsShortestDigits(double value, int places, double expected) =>
        Assert.Equal(expected, IoTRuleEmu.Sql.Functions.MathFunctions.TruncateDecimalPlaces(value, places));
}
