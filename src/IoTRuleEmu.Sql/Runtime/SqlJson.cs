using System.Buffers;
using System.Text;
using System.Text.Json;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// Compact JSON output as AWS IoT produces it: no spaces, keys in insertion order, Undefined attributes omitted,
/// numbers printed by <see cref="SqlNumberFormat"/>, non-ASCII text as raw UTF-8 (Jackson escapes only quotes,
/// backslashes and control characters).
/// </summary>
public static class SqlJson
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 256 };

    public static string Serialize(SqlValue value, SqlVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(buffer, value, version);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static byte[] SerializeToUtf8(SqlValue value, SqlVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(buffer, value, version);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a whole output payload: Undefined is the empty payload, Binary its raw bytes, anything else JSON.
    /// </summary>
    public static void WritePayload(IBufferWriter<byte> output, SqlValue value, SqlVersion version)
    {
        switch (value.Type)
        {
            case SqlType.Undefined:
                return;
            case SqlType.Binary:
                output.Write(value.AsBinary.Span);
                return;
            default:
                Write(output, value, version);
                return;
        }
    }

    /// <summary>Writes one value as JSON (Undefined writes nothing; a Binary value inside JSON is a base64 string).</summary>
    public static void Write(IBufferWriter<byte> output, SqlValue value, SqlVersion version)
    {
        switch (value.Type)
        {
            case SqlType.Undefined:
                return;
            case SqlType.Null:
                WriteAscii(output, "null");
                return;
            case SqlType.Boolean:
                WriteAscii(output, value.AsBool ? "true" : "false");
                return;
            case SqlType.Int:
                if (value.IsBigInt)
                {
                    WriteAscii(output, SqlNumberFormat.FormatInt(value.AsBigInteger));
                }
                else
                {
                    var span = output.GetSpan(20);
                    value.AsLong.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                    output.Advance(written);
                }
                return;
            case SqlType.Decimal:
                Span<char> text = stackalloc char[SqlNumberFormat.MaxDecimalLength];
                var length = SqlNumberFormat.FormatDecimal(value.AsDouble, version, text);
                var dest = output.GetSpan(length);
                for (var i = 0; i < length; i++)
                {
                    dest[i] = (byte)text[i];
                }
                output.Advance(length);
                return;
            case SqlType.String:
                WriteString(output, value.AsString);
                return;
            case SqlType.Binary:
                WriteString(output, Convert.ToBase64String(value.AsBinary.Span));
                return;
            case SqlType.Array:
                WriteByte(output, (byte)'[');
                var first = true;
                foreach (var element in value.Elements)
                {
                    if (element.IsUndefined)
                    {
                        continue;
                    }
                    if (!first)
                    {
                        WriteByte(output, (byte)',');
                    }
                    first = false;
                    Write(output, element, version);
                }
                WriteByte(output, (byte)']');
                return;
            case SqlType.Object:
                WriteByte(output, (byte)'{');
                var firstMember = true;
                foreach (var member in value.Members)
                {
                    if (member.Value.IsUndefined)
                    {
                        continue;
                    }
                    if (!firstMember)
                    {
                        WriteByte(output, (byte)',');
                    }
                    firstMember = false;
                    WriteString(output, member.Key);
                    WriteByte(output, (byte)':');
                    Write(output, member.Value, version);
                }
                WriteByte(output, (byte)'}');
                return;
        }
    }

    /// <summary>Writes a JSON string literal with Jackson's escaping.</summary>
    public static void WriteString(IBufferWriter<byte> output, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length) + 2;
        var needsEscape = false;
        foreach (var c in text)
        {
            if (c < 0x20 || c == '"' || c == '\\')
            {
                needsEscape = true;
                break;
            }
        }
        if (!needsEscape)
        {
            var span = output.GetSpan(max);
            span[0] = (byte)'"';
            var n = Encoding.UTF8.GetBytes(text, span[1..]);
            span[n + 1] = (byte)'"';
            output.Advance(n + 2);
            return;
        }
        var sb = new StringBuilder(text.Length + 8);
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
        var escaped = sb.ToString();
        var dest = output.GetSpan(Encoding.UTF8.GetMaxByteCount(escaped.Length));
        output.Advance(Encoding.UTF8.GetBytes(escaped, dest));
    }

    private static void WriteAscii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        for (var i = 0; i < ascii.Length; i++)
        {
            span[i] = (byte)ascii[i];
        }
        output.Advance(ascii.Length);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    /// <summary>
    /// Parses text as a JSON document; false when it is not one. The caller owns (and disposes) the document.
    /// </summary>
    public static bool TryParseDocument(ReadOnlyMemory<byte> utf8, out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(utf8, ParseOptions);
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    /// <summary>
    /// Parses a JSON text into a self-contained (materialised) value; Undefined when it is not JSON.
    /// For values that must outlive a document (decode results, external function results, tests).
    /// </summary>
    public static SqlValue ParseValue(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, ParseOptions);
            return Materialize(SqlValue.FromJson(doc.RootElement));
        }
        catch (JsonException)
        {
            return SqlValue.Undefined;
        }
    }

    /// <summary>Copies a (possibly JSON-backed) value into materialised objects and arrays.</summary>
    public static SqlValue Materialize(SqlValue value)
    {
        switch (value.Type)
        {
            case SqlType.Object:
                var obj = new SqlObject(4);
                foreach (var member in value.Members)
                {
                    obj[member.Key] = Materialize(member.Value);
                }
                return SqlValue.FromObject(obj);
            case SqlType.Array:
                var arr = new SqlArray(value.ArrayLength);
                foreach (var element in value.Elements)
                {
                    arr.Add(Materialize(element));
                }
                return SqlValue.FromArray(arr);
            default:
                return value;
        }
    }
}
