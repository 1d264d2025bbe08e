using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>get, isNull, isUndefined, transform, nanvl, get_or_default (spec §3.1, §3.3).</summary>
public class CollectionFunctionsTests
{
    [Theory]
    // get: Array + index (converted to Int)
    [InlineData("get", "String:b", "[\"a\",\"b\",\"c\"]", "1")]
    [InlineData("get", "String:a", "[\"a\",\"b\",\"c\"]", "0")]
    [InlineData("get", "String:b", "[\"a\",\"b\",\"c\"]", "1.4")]
    [InlineData("get", "String:c", "[\"a\",\"b\",\"c\"]", "1.5")]
    [InlineData("get", "String:b", "[\"a\",\"b\",\"c\"]", "\"1\"")]
    [InlineData("get", "String:b", "[\"a\",\"b\",\"c\"]", "\"1.9\"")]
    [InlineData("get", "Undefined", "[\"a\",\"b\",\"c\"]", "3")]
    [InlineData("get", "Undefined", "[\"a\",\"b\",\"c\"]", "-1")]
    [InlineData("get", "Undefined", "[\"a\",\"b\",\"c\"]", "\"x\"")]
    [InlineData("get", "Undefined", "[\"a\",\"b\",\"c\"]", "true")]
    [InlineData("get", "Undefined", "[\"a\",\"b\",\"c\"]", "null")]
    [InlineData("get", "Object:{\"x\":1}", "[{\"x\":1}]", "0")]
    // get: String + index (0-based)
    [InlineData("get", "String:b", "\"abc\"", "1")]
    [InlineData("get", "String:a", "\"abc\"", "0")]
    [InlineData("get", "Undefined", "\"abc\"", "3")]
    // get: Object + String key (no conversion)
    [InlineData("get", "String:b", "{\"a\":\"b\"}", "\"a\"")]
    [InlineData("get", "Undefined", "{\"a\":\"b\"}", "\"z\"")]
    [InlineData("get", "Undefined", "{\"1\":\"b\"}", "1")]
    [InlineData("get", "String:b", "{\"1\":\"b\"}", "\"1\"")]
    [InlineData("get", "Null", "{\"a\":null}", "\"a\"")]
    [InlineData("get", "Int:2", "{\"my-key\":2}", "\"my-key\"")]
    // get: other first arguments
    [InlineData("get", "Undefined", "5", "0")]
    [InlineData("get", "Undefined", "null", "0")]
    [InlineData("get", "Undefined", "undefined", "0")]
    [InlineData("get", "Undefined", "true", "0")]
    // isNull / isUndefined
    [InlineData("isNull", "Boolean:false", "5")]
    [InlineData("isNull", "Boolean:true", "null")]
    [InlineData("isNull", "Boolean:false", "undefined")]
    [InlineData("isNull", "Boolean:false", "\"null\"")]
    [InlineData("isUndefined", "Boolean:true", "undefined")]
    [InlineData("isUndefined", "Boolean:false", "null")]
    [InlineData("isUndefined", "Boolean:false", "0")]
    [InlineData("isUndefined", "Boolean:false", "\"\"")]
    // nanvl
    [InlineData("nanvl", "Int:8", "8", "3")]
    [InlineData("nanvl", "Int:3", "undefined", "3")]
    [InlineData("nanvl", "Int:3", "null", "3")]
    [InlineData("nanvl", "Int:3", "nan", "3")]
    [InlineData("nanvl", "String:a", "\"a\"", "3")]
    [InlineData("nanvl", "Decimal:1.5", "1.5", "3")]
    [InlineData("nanvl", "Undefined", "null", "undefined")]
    // get_or_default
    [InlineData("get_or_default", "Int:1", "1", "2")]
    [InlineData("get_or_default", "Int:2", "null", "2")]
    [InlineData("get_or_default", "Int:2", "undefined", "2")]
    [InlineData("get_or_default", "Boolean:false", "false", "2")]
    [InlineData("get_or_default", "String:", "\"\"", "2")]
    [InlineData("get_or_default", "Undefined", "null")]
    [InlineData("get_or_default", "String:x", "\"x\"")]
    [InlineData("get_or_default", "Null", "undefined", "null")]
    // transform
    [InlineData("transform", "Array:[{\"a\":3,\"data1\":1,\"data2\":2},{\"b\":4,\"data1\":1,\"data2\":2}]", "\"enrichArray\"", "{\"data1\":1,\"data2\":2}", "[{\"a\":3},{\"b\":4}]")]
    [InlineData("transform", "Array:[{\"a\":9,\"b\":4}]", "\"enrichArray\"", "{\"a\":9}", "[{\"a\":3,\"b\":4}]")]
    [InlineData("transform", "Array:[]", "\"enrichArray\"", "{\"a\":1}", "[]")]
    [InlineData("transform", "Undefined", "\"enricharray\"", "{\"a\":1}", "[{\"b\":2}]")]
    [InlineData("transform", "Undefined", "\"other\"", "{\"a\":1}", "[{\"b\":2}]")]
    [InlineData("transform", "Undefined", "\"enrichArray\"", "[1]", "[{\"b\":2}]")]
    [InlineData("transform", "Undefined", "\"enrichArray\"", "{\"a\":1}", "{\"b\":2}")]
    [InlineData("transform", "Undefined", "\"enrichArray\"", "{\"a\":1}", "[{\"b\":2},3]")]
    [InlineData("transform", "Undefined", "\"enrichArray\"", "{\"a\":1}", "undefined")]
    [InlineData("transform", "Undefined", "null", "{\"a\":1}", "[{\"b\":2}]")]
    public void Function_Argument_Result(string name, string expected, params string[] args) =>
        Assert.Equal(expected, Fn.Eval(name, args));

    [Fact]
    public void Get_OnPayloadBackedValues_ReadsLazily()
    {
        var message = new SqlMessage { Topic = "t", Payload = "{\"arr\":[10,20],\"obj\":{\"k\":\"v\"}}"u8.ToArray() };
        using var context = new EvalContext(message) { Version = SqlVersion.V2016_03_23 };
        var get = IoTRuleEmu.Sql.Functions.SqlFunctionRegistry.Find("get")!;
        var payload = context.Payload;
        Assert.Equal("Int:20", Fn.Show(get.Invoke([payload.GetMember("arr"), SqlValue.FromInt(1)], context)));
        Assert.Equal("String:v", Fn.Show(get.Invoke([payload.GetMember("obj"), SqlValue.FromString("k")], context)));
        Assert.Equal("Object:{\"k\":\"v\"}", Fn.Show(get.Invoke([payload, SqlValue.FromString("obj")], context)));
    }
}
