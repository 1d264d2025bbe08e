using System.Text;
using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>
/// Calls SQL functions through the registry with a real <see cref="EvalContext"/>, and prints results as
/// "Type:text" so table rows state the type as well as the value.
/// </summary>
internal static class Fn
{
    public static SqlMessage DefaultMessage => new()
    {
        Topic = "foo/bar/baz",
        Payload = Encoding.UTF8.GetBytes("{\"deviceid\":\"iot123\"}"),
        ClientId = "client-1",
        Principal = "abc123thumbprint",
        SourceIp = "192.0.2.10",
        TraceId = "5a5f6c08-7f1b-4b43-9a35-3a0c3e2a2b10",
        TimestampMs = 1_700_000_000_123,
        AccountId = "111122223333",
    };

    /// <summary>
    /// A test argument: "undefined", "nan" (a NaN Decimal), "bin:text" (Binary of the UTF-8 bytes), or a JSON value
    /// (<c>5</c> is an Int, <c>5.0</c> a Decimal, <c>"x"</c> a String).
    /// </summary>
    public static SqlValue Arg(string text)
    {
        switch (text)
        {
            case "undefined":
                return SqlValue.Undefined;
            case "nan":
                return SqlValue.FromDecimalUnchecked(double.NaN);
        }
        if (text.StartsWith("bin:", StringComparison.Ordinal))
        {
            return SqlValue.FromBinary(Encoding.UTF8.GetBytes(text[4..]));
        }
        var value = SqlJson.ParseValue(text);
        Assert.False(value.IsUndefined, $"test argument is not JSON: {text}");
        return value;
    }

    /// <summary>"Undefined", "Null", "Boolean:true", "Int:5", "Decimal:5.0" (Java text), "String:abc", "Array:[…]", "Object:{…}", "Binary:base64".</summary>
    public static string Show(SqlValue value) => value.Type switch
    {
        SqlType.Undefined => "Undefined",
        SqlType.Null => "Null",
        SqlType.Boolean => value.AsBool ? "Boolean:true" : "Boolean:false",
        SqlType.Int => "Int:" + SqlJson.Serialize(value, SqlVersion.V2015_10_08),
        SqlType.Decimal => "Decimal:" + SqlNumberFormat.JavaDoubleToString(value.AsDouble),
        SqlType.String => "String:" + value.AsString,
        SqlType.Array => "Array:" + SqlJson.Serialize(value, SqlVersion.V2015_10_08),
        SqlType.Object => "Object:" + SqlJson.Serialize(value, SqlVersion.V2015_10_08),
        SqlType.Binary => "Binary:" + Convert.ToBase64String(value.AsBinary.Span),
        _ => throw new InvalidOperationException(),
    };

    public static SqlValue Call(string name, SqlVersion version, SqlMessage message, ISqlExternalFunctions? external, params SqlValue[] args)
    {
        var function = SqlFunctionRegistry.Find(name);
        Assert.NotNull(function);
        Assert.InRange(args.Length, function.MinArgs, function.MaxArgs);
        using var context = new EvalContext(message, external) { Version = version };
        return SqlJson.Materialize(function.Invoke(args, context));
    }

    /// <summary>Calls <paramref name="name"/> under 2016-03-23 and shows the result.</summary>
    public static string Eval(string name, params string[] args) => Eval(SqlVersion.V2016_03_23, name, args);

    public static string Eval(SqlVersion version, string name, params string[] args)
    {
        var values = new SqlValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = Arg(args[i]);
        }
        return Show(Call(name, version, DefaultMessage, null, values));
    }

    /// <summary>Calls a function with a given message and shows the result (context functions).</summary>
    public static string EvalWith(SqlMessage message, string name, params string[] args)
    {
        var values = new SqlValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = Arg(args[i]);
        }
        return Show(Call(name, SqlVersion.V2016_03_23, message, null, values));
    }
}
