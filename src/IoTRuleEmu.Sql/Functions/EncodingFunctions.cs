using System.Buffers;
using System.Text;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary><c>encode(v, 'base64')</c> and <c>decode(v, 'base64')</c> / <c>decode(v, 'proto', …)</c>.</summary>
internal static class EncodingFunctions
{
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("encode", 2, 2, V2016, Encode, SqlFunctionFlags.StarIsRawPayload);
        // decode(v, 'proto', bucket, key, protoFileName, messageType) goes to the host like the other external functions.
        t.Add("decode", 2, 6, V2016, Decode);
    }

    /// <summary>
    /// <c>encode(v, 'base64')</c>: <c>*</c> arrives as the raw payload bytes; any other value is converted to a String and
    /// its UTF-8 bytes are encoded. Another scheme → Undefined.
    /// </summary>
    private static SqlValue Encode(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!IsScheme(args[1], "base64"))
        {
            return SqlValue.Undefined;
        }
        var value = args[0];
        if (value.Type == SqlType.Binary)
        {
            return SqlValue.FromString(Convert.ToBase64String(value.AsBinary.Span));
        }
        if (!FunctionArgs.TryString(value, context.Version, out var text))
        {
            return SqlValue.Undefined;
        }
        return SqlValue.FromString(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// <c>decode(v, 'base64')</c>: the decoded text parsed as JSON when it is a JSON document (object, array, number,
    /// string, …), else the text itself; input that is not base64 → Null. <c>decode(v, 'proto', …)</c> is external.
    /// </summary>
    private static SqlValue Decode(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (IsScheme(args[1], "proto"))
        {
            return args.Length == 6 ? ExternalFunctions.Call("decode", args, context) : SqlValue.Undefined;
        }
        if (args.Length != 2 || !IsScheme(args[1], "base64"))
        {
            return SqlValue.Undefined;
        }
        var value = args[0];
        string? encoded;
        if (value.Type == SqlType.Binary)
        {
            encoded = Encoding.UTF8.GetString(value.AsBinary.Span);
        }
        else if (!FunctionArgs.TryString(value, context.Version, out encoded))
        {
            return SqlValue.Undefined;
        }
        if (!TryDecodeBase64(encoded, out var bytes))
        {
            return SqlValue.Null;
        }
        var text = Encoding.UTF8.GetString(bytes);
        var json = SqlJson.ParseValue(text);
        return json.IsUndefined ? SqlValue.FromString(text) : json;
    }

    private static bool IsScheme(SqlValue value, string scheme) =>
        value.Type == SqlType.String && string.Equals(value.AsString, scheme, StringComparison.Ordinal);

    /// <summary>
    /// Base64 as Java's basic decoder reads it: the standard alphabet, no whitespace, padding optional
    /// (but a lone trailing character is an error).
    /// </summary>
    internal static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        foreach (var c in text)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                return false;
            }
        }
        var padded = text;
        switch (text.Length % 4)
        {
            case 1:
                return false;
            case 2:
                padded = text + "==";
                break;
            case 3:
                padded = text + "=";
                break;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(padded.Length / 4 * 3 + 3);
        try
        {
            if (!Convert.TryFromBase64String(padded, buffer, out var written))
            {
                return false;
            }
            bytes = buffer.AsSpan(0, written).ToArray();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
