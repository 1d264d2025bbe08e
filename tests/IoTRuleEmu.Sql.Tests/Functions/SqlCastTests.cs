using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>The cast tables of spec §3.3 and the version rules of §4 item 6.</summary>
public class SqlCastTests
{
    private const SqlVersion V15 = SqlVersion.V2015_10_08;
    private const SqlVersion V16 = SqlVersion.V2016_03_23;

    [Theory]
    // → Decimal (Double in both versions, Decimal only in 2016)
    [InlineData("5", "Double", V15, "Decimal:5.0")]
    [InlineData("5.0", "double", V15, "Decimal:5.0")]
    [InlineData("5", "Decimal", V16, "Decimal:5.0")]
    [InlineData("2.5", "DECIMAL", V16, "Decimal:2.5")]
    [InlineData("true", "Double", V16, "Decimal:1.0")]
    [InlineData("false", "Double", V16, "Decimal:0.0")]
    [InlineData("\"22\"", "Decimal", V16, "Decimal:22.0")]
    [InlineData("\"-1.5E2\"", "Double", V16, "Decimal:-150.0")]
    [InlineData("\"abc\"", "Double", V16, "Undefined")]
    [InlineData("[1]", "Double", V16, "Undefined")]
    [InlineData("{\"a\":1}", "Double", V16, "Undefined")]
    [InlineData("null", "Double", V16, "Undefined")]
    [InlineData("undefined", "Double", V16, "Undefined")]
    [InlineData("5", "Decimal", V15, "Undefined")]
    // → Int
    [InlineData("5", "Int", V15, "Int:5")]
    [InlineData("5.9", "Int", V15, "Int:5")]
    [InlineData("-5.1", "Integer", V15, "Int:-6")]
    [InlineData("true", "Int", V15, "Int:1")]
    [InlineData("false", "int", V15, "Int:0")]
    [InlineData("\"7.9\"", "Int", V15, "Int:7")]
    [InlineData("\"-7.9\"", "Int", V15, "Int:-8")]
    [InlineData("\"x\"", "Int", V15, "Undefined")]
    [InlineData("[1]", "Int", V15, "Undefined")]
    [InlineData("{}", "Int", V15, "Undefined")]
    [InlineData("null", "Int", V15, "Undefined")]
    [InlineData("undefined", "Int", V15, "Undefined")]
    // → Boolean (2016 only)
    [InlineData("0", "Boolean", V16, "Boolean:false")]
    [InlineData("3", "Bool", V16, "Boolean:true")]
    [InlineData("0.0", "Boolean", V16, "Boolean:false")]
    [InlineData("-0.5", "Boolean", V16, "Boolean:true")]
    [InlineData("true", "Boolean", V16, "Boolean:true")]
    [InlineData("\"TRUE\"", "Boolean", V16, "Boolean:true")]
    [InlineData("\"false\"", "bool", V16, "Boolean:false")]
    [InlineData("\"1\"", "Boolean", V16, "Undefined")]
    [InlineData("\"yes\"", "Boolean", V16, "Undefined")]
    [InlineData("[true]", "Boolean", V16, "Undefined")]
    [InlineData("null", "Boolean", V16, "Undefined")]
    [InlineData("undefined", "Boolean", V16, "Undefined")]
    [InlineData("true", "Boolean", V15, "Undefined")]
    [InlineData("true", "Bool", V15, "Undefined")]
    // → String (all five names)
    [InlineData("5", "String", V15, "String:5")]
    [InlineData("5.0", "String", V15, "String:5.0")]
    [InlineData("5.0", "String", V16, "String:5")]
    [InlineData("true", "Nvarchar", V15, "String:true")]
    [InlineData("[1,\"a\"]", "Text", V15, "String:[1,\"a\"]")]
    [InlineData("{\"a\":1}", "Ntext", V15, "String:{\"a\":1}")]
    [InlineData("\"abc\"", "varchar", V15, "String:abc")]
    [InlineData("null", "String", V15, "Undefined")]
    [InlineData("undefined", "String", V15, "Undefined")]
    // unknown target
    [InlineData("5", "Float", V16, "Undefined")]
    [InlineData("5", "Long", V16, "Undefined")]
    [InlineData("5", "", V16, "Undefined")]
    public void Cast_Value_Type_Version(string value, string type, SqlVersion version, string expected) =>
        Assert.Equal(expected, Fn.Show(SqlCast.Cast(Fn.Arg(value), type, version)));

    [Theory]
    [InlineData("String", V15, true)]
    [InlineData("integer", V15, true)]
    [InlineData("Double", V15, true)]
    [InlineData("Decimal", V15, false)]
    [InlineData("Decimal", V16, true)]
    [InlineData("Boolean", V15, false)]
    [InlineData("bool", SqlVersion.Beta, true)]
    [InlineData("Float", V16, false)]
    public void IsKnownType_ByVersion(string type, SqlVersion version, bool known) =>
        Assert.Equal(known, SqlCast.IsKnownType(type, version));

    [Fact]
    public void Cast_BinaryToString_IsUtf8Text() =>
        Assert.Equal("String:80", Fn.Show(SqlCast.Cast(SqlValue.FromBinary("80"u8.ToArray()), "String", V16)));
}
