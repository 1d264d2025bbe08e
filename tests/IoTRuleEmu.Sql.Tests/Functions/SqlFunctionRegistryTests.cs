using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>Every documented function is registered with its arity and first SQL version (spec §3, §4 item 7).</summary>
public class SqlFunctionRegistryTests
{
    [Theory]
    // math
    [InlineData("abs", 1, 1, false)]
    [InlineData("acos", 1, 1, false)]
    [InlineData("asin", 1, 1, false)]
    [InlineData("atan", 1, 1, false)]
    [InlineData("atan2", 2, 2, false)]
    [InlineData("ceil", 1, 1, false)]
    [InlineData("floor", 1, 1, false)]
    [InlineData("round", 1, 1, false)]
    [InlineData("trunc", 2, 2, false)]
    [InlineData("sign", 1, 1, false)]
    [InlineData("sqrt", 1, 1, false)]
    [InlineData("exp", 1, 1, false)]
    [InlineData("ln", 1, 1, false)]
    [InlineData("log", 1, 1, false)]
    [InlineData("power", 2, 2, false)]
    [InlineData("sin", 1, 1, false)]
    [InlineData("cos", 1, 1, false)]
    [InlineData("tan", 1, 1, false)]
    [InlineData("sinh", 1, 1, false)]
    [InlineData("cosh", 1, 1, false)]
    [InlineData("tanh", 1, 1, false)]
    [InlineData("mod", 2, 2, false)]
    [InlineData("remainder", 2, 2, false)]
    [InlineData("nanvl", 2, 2, false)]
    [InlineData("rand", 0, 0, false)]
    [InlineData("bitand", 2, 2, false)]
    [InlineData("bitor", 2, 2, false)]
    [InlineData("bitxor", 2, 2, false)]
    [InlineData("bitnot", 1, 1, false)]
    // string
    [InlineData("chr", 1, 1, false)]
    [InlineData("concat", 0, int.MaxValue, false)]
    [InlineData("endswith", 2, 2, false)]
    [InlineData("startswith", 2, 2, false)]
    [InlineData("indexof", 2, 2, true)]
    [InlineData("length", 1, 1, true)]
    [InlineData("numbytes", 1, 1, true)]
    [InlineData("lower", 1, 1, false)]
    [InlineData("upper", 1, 1, false)]
    [InlineData("lpad", 2, 2, false)]
    [InlineData("rpad", 2, 2, false)]
    [InlineData("ltrim", 1, 1, false)]
    [InlineData("rtrim", 1, 1, false)]
    [InlineData("trim", 1, 1, false)]
    [InlineData("replace", 3, 3, false)]
    [InlineData("substring", 2, 3, false)]
    [InlineData("regexp_matches", 2, 2, false)]
    [InlineData("regexp_replace", 3, 3, false)]
    [InlineData("regexp_substr", 2, 2, false)]
    [InlineData("md2", 1, 1, false)]
    [InlineData("md5", 1, 1, false)]
    [InlineData("sha1", 1, 1, false)]
    [InlineData("sha224", 1, 1, false)]
    [InlineData("sha256", 1, 1, false)]
    [InlineData("sha384", 1, 1, false)]
    [InlineData("sha512", 1, 1, false)]
    // type / collection / misc
    [InlineData("get", 2, 2, false)]
    [InlineData("isNull", 1, 1, false)]
    [InlineData("isUndefined", 1, 1, true)]
    [InlineData("transform", 3, 3, true)]
    [InlineData("encode", 2, 2, true)]
    [InlineData("decode", 2, 6, true)]
    [InlineData("newuuid", 0, 0, false)]
    [InlineData("timestamp", 0, 0, false)]
    [InlineData("parse_time", 2, 3, true)]
    [InlineData("time_to_epoch", 2, 2, true)]
    [InlineData("sql_version", 0, 0, false)]
    [InlineData("get_or_default", 1, 2, true)]
    // context
    [InlineData("topic", 0, 1, false)]
    [InlineData("clientid", 0, 0, false)]
    [InlineData("principal", 0, 0, false)]
    [InlineData("accountid", 0, 0, false)]
    [InlineData("traceid", 0, 0, false)]
    [InlineData("sourceip", 0, 0, true)]
    [InlineData("get_mqtt_property", 1, 1, true)]
    [InlineData("get_user_properties", 0, 1, true)]
    // external
    [InlineData("aws_lambda", 2, 2, false)]
    [InlineData("get_dynamodb", 4, 6, true)]
    [InlineData("get_secret", 3, 4, false)]
    [InlineData("get_thing_shadow", 2, 3, true)]
    [InlineData("get_registry_data", 3, 3, true)]
    [InlineData("machinelearning_predict", 3, 3, false)]
    public void Function_IsRegistered_WithArityAndVersion(string name, int min, int max, bool only2016)
    {
        var function = SqlFunctionRegistry.Find(name);
        Assert.NotNull(function);
        Assert.Equal(min, function.MinArgs);
        Assert.Equal(max, function.MaxArgs);
        Assert.Equal(only2016 ? SqlVersion.V2016_03_23 : SqlVersion.V2015_10_08, function.MinVersion);
        Assert.Equal(!only2016, function.IsAvailableIn(SqlVersion.V2015_10_08));
        Assert.True(function.IsAvailableIn(SqlVersion.V2016_03_23));
        Assert.True(function.IsAvailableIn(SqlVersion.Beta));
    }

    [Theory]
    [InlineData("ROUND")]
    [InlineData("Nanvl")]
    [InlineData("IsUndefined")]
    [InlineData("LTRIM")]
    public void Find_IgnoresCase(string name) => Assert.NotNull(SqlFunctionRegistry.Find(name));

    [Theory]
    [InlineData("isEmpty")]
    [InlineData("coalesce")]
    [InlineData("now")]
    [InlineData("len")]
    [InlineData("substr")]
    [InlineData("split")]
    [InlineData("cast")]
    public void Find_NonexistentFunction_IsNull(string name) => Assert.Null(SqlFunctionRegistry.Find(name));

    [Fact]
    public void Registry_HasExactlyTheDocumentedFunctions() => Assert.Equal(81, SqlFunctionRegistry.All.Count());
}
