using System.Text.Json;

namespace IoTRuleEmu.Engine.Configuration;

/// <summary>Maps a position inside a top-level JSON string value back to its line and column in the file.</summary>
public static class JsonSourcePositions
{
    /// <summary>
    /// Finds top-level property <paramref name="property"/> (a string) in <paramref name="utf8Json"/> and returns the
    /// 1-based file line and column of character <paramref name="offsetInValue"/> of its decoded value.
    /// </summary>
    public static bool TryLocate(ReadOnlySpan<byte> utf8Json, string property, int offsetInValue, out int line, out int column)
    {
        line = column = 0;
        if (utf8Json.Length >= 3 && utf8Json[0] == 0xEF && utf8Json[1] == 0xBB && utf8Json[2] == 0xBF)
        {
            utf8Json = utf8Json[3..];
        }
        int quote;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            quote = -1;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(property))
                {
                    if (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        quote = (int)reader.TokenStartIndex;
                    }
                    break;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (quote < 0 || quote >= utf8Json.Length || utf8Json[quote] != (byte)'"')
        {
            return false;
        }

        // Walk the raw string, decoding escapes, until the decoded offset is reached.
        var raw = quote + 1;
        var decoded = 0;
        while (decoded < offsetInValue && raw < utf8Json.Length && utf8Json[raw] != (byte)'"')
        {
            var b = utf8Json[raw];
            if (b == (byte)'\\')
            {
                raw += raw + 1 < utf8Json.Length && utf8Json[raw + 1] == (byte)'u' ? 6 : 2;
                decoded++;
            }
            else
            {
                var length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                raw += length;
                decoded += length == 4 ? 2 : 1;
            }
        }
        raw = Math.Min(raw, utf8Json.Length);

        line = 1;
        var lineStart = 0;
        for (var i = 0; i < raw; i++)
        {
            if (utf8Json[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        column = System.Text.Encoding.UTF8.GetCharCount(utf8Json[lineStart..raw]) + 1;
        return true;
    }
}
