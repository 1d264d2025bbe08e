using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>encode/decode (spec §3.3, §5): base64 both ways, raw payload bytes, JSON-or-text decoding, Null on bad input.</summary>
public class EncodingFunctionsTests
{
    [Theory]
    [InlineData("encode", "String:aGVsbG8=", "\"hello\"", "\"base64\"")]
    [InlineData("encode", "String:ODA=", "80", "\"base64\"")]
    [InlineData("encode", "String:dHJ1ZQ==", "true", "\"base64\"")]
    [InlineData("encode", "String:eyJhIjoxfQ==", "{\"a\":1}", "\"base64\"")]
    [InlineData("encode", "String:AAEC", "bin:\u0000\u0001\u0002", "\"base64\"")]
    [InlineData("encode", "String:", "\"\"", "\"base64\"")]
    [InlineData("encode", "Undefined", "null", "\"base64\"")]
    [InlineData("encode", "Undefined", "undefined", "\"base64\"")]
    [InlineData("encode", "Undefined", "\"hello\"", "\"hex\"")]
    [InlineData("encode", "Undefined", "\"hello\"", "null")]
    [InlineData("decode", "String:hello", "\"aGVsbG8=\"", "\"base64\"")]
    [InlineData("decode", "String:hello", "\"aGVsbG8\"", "\"base64\"")]
    [InlineData("decode", "Int:80", "\"ODA=\"", "\"base64\"")]
    [InlineData("decode", "Object:{\"temperature\":21.5}", "\"eyJ0ZW1wZXJhdHVyZSI6MjEuNX0=\"", "\"base64\"")]
    [InlineData("decode", "Array:[1,2]", "\"WzEsMl0=\"", "\"base64\"")]
    [InlineData("decode", "Boolean:true", "\"dHJ1ZQ==\"", "\"base64\"")]
    [InlineData("decode", "String:abc", "\"ImFiYyI=\"", "\"base64\"")]
    [InlineData("decode", "String:", "\"\"", "\"base64\"")]
    [InlineData("decode", "Null", "\"not base64!\"", "\"base64\"")]
    [InlineData("decode", "Null", "\"aGVs bG8=\"", "\"base64\"")]
    [InlineData("decode", "Null", "\"a\"", "\"base64\"")]
    [InlineData("decode", "Undefined", "null", "\"base64\"")]
    [InlineData("decode", "Undefined", "undefined", "\"base64\"")]
    [InlineData("decode", "Undefined", "\"aGVsbG8=\"", "\"hex\"")]
    [InlineData("decode", "String:\uFFFDm\uFFFD", "1234", "\"base64\"")]
    [InlineData("decode", "Undefined", "\"aGVsbG8=\"", "\"base64\"", "\"x\"")]
    [InlineData("decode", "Undefined", "\"aGVsbG8=\"", "\"proto\"", "\"bucket\"")]
    public void Function_Argument_Result(string name, string expected, params string[] args) =>
        Assert.Equal(expected, Fn.Eval(name, args));

    [Fact]
    public void Encode_Star_ReceivesRawPayloadBytes()
    {
        var encode = IoTRuleEmu.Sql.Functions.SqlFunctionRegistry.Find("encode")!;
        Assert.True(encode.Flags.HasFlag(IoTRuleEmu.Sql.Functions.SqlFunctionFlags.StarIsRawPayload));
        var payload = "{ \"a\" : 1 }"u8.ToArray();
        var result = Fn.Call("encode", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, SqlValue.FromBinary(payload), SqlValue.FromString("base64"));
        Assert.Equal("String:" + Convert.ToBase64String(payload), Fn.Show(result));
    }

    [Fact]
    public void DecodeOfEncode_BinaryPayload80_IsInt80()
    {
        var encoded = Fn.Call("encode", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, SqlValue.FromBinary("80"u8.ToArray()), SqlValue.FromString("base64"));
        var decoded = Fn.Call("decode", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, encoded, SqlValue.FromString("base64"));
        Assert.Equal("Int:80", Fn.Show(decoded));
    }

    [Fact]
    public void DecodeProto_RoutesToExternalFunctions()
    {
        var external = new RecordingExternal(SqlExternalResult.Success(SqlValue.FromString("decoded")));
        var args = new[] { "AAEC", "proto", "bucket", "key.desc", "file.proto", "Msg" }.Select(SqlValue.FromString).ToArray();
        var result = Fn.Call("decode", SqlVersion.V2016_03_23, Fn.DefaultMessage, external, args);
        Assert.Equal("String:decoded", Fn.Show(result));
        Assert.Equal("decode", external.LastName);
        Assert.Equal(6, external.LastArgCount);
    }

    [Fact]
    public void DecodeProto_WithoutExternal_FailsEvaluation()
    {
        var decode = IoTRuleEmu.Sql.Functions.SqlFunctionRegistry.Find("decode")!;
        using var context = new EvalContext(Fn.DefaultMessage) { Version = SqlVersion.V2016_03_23 };
        var args = new[] { "AAEC", "proto", "bucket", "key.desc", "file.proto", "Msg" }.Select(SqlValue.FromString).ToArray();
        Assert.True(decode.Invoke(args, context).IsUndefined);
        Assert.True(context.Failed);
        Assert.Contains("decode", context.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aGVsbG8=", true, "hello")]
    [InlineData("aGVsbG8", true, "hello")]
    [InlineData("aGVsbA", true, "hell")]
    [InlineData("aGVsbA==", true, "hell")]
    [InlineData("aGVsb", false, "")]
    [InlineData("aGV sbG8=", false, "")]
    [InlineData("aGVs\nbG8=", false, "")]
    [InlineData("a-_b", false, "")]
    [InlineData("", true, "")]
    public void TryDecodeBase64_JavaBasicDecoderRules(string input, bool ok, string text)
    {
        Assert.Equal(ok, IoTRuleEmu.Sql.Functions.EncodingFunctions.TryDecodeBase64(input, out var bytes));
        if (ok)
        {
            Assert.Equal(text, System.Text.Encoding.UTF8.GetString(bytes));
        }
    }
}

/// <summary>An external-functions host that records the last call and returns a fixed result.</summary>
internal sealed class RecordingExternal(SqlExternalResult result) : ISqlExternalFunctions
{
    public string? LastName { get; private set; }
    public int LastArgCount { get; private set; }
    public List<SqlValue> LastArgs { get; } = [];

    public SqlExternalResult Invoke(string name, ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        LastName = name;
        LastArgCount = args.Length;
        LastArgs.Clear();
        foreach (var a in args)
        {
            LastArgs.Add(a);
        }
        return result;
    }
}
