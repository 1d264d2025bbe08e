using System.Text.Json;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// The state of evaluating one message: the message, its parsed payload (parsed once, shared by the SQL and the
/// action templates), the current row of a nested query, SET variables and any evaluation failure.
/// Not thread-safe; one per message. Dispose it after the output and every template have been rendered.
/// </summary>
public sealed class EvalContext : IDisposable
{
    private JsonDocument? _document;
    private bool _parsed;
    private SqlValue _payload;
    private List<KeyValuePair<string, SqlValue>>? _variables;

    public EvalContext(SqlMessage message, ISqlExternalFunctions? external = null)
    {
        Message = message;
        External = external;
    }

    public SqlMessage Message { get; }

    /// <summary>The SQL version of the statement being evaluated (set by the statement or template before it runs).</summary>
    public SqlVersion Version { get; internal set; }

    /// <summary>The host's implementation of the functions that need the cloud; null when there is none.</summary>
    public ISqlExternalFunctions? External { get; }

    /// <summary>
    /// The payload as a value: a JSON object or array when the payload is one; otherwise (scalars, bad JSON, binary)
    /// the raw bytes, which only <c>*</c> reaches. An empty payload is an empty object, to which SELECT may add data.
    /// </summary>
    public SqlValue Payload
    {
        get
        {
            if (!_parsed)
            {
                _parsed = true;
                _payload = ParsePayload();
            }
            return _payload;
        }
    }

    /// <summary>Whether <see cref="Payload"/> has been parsed (tests: a pass-through must not parse).</summary>
    internal bool PayloadParsed => _parsed;

    /// <summary>True when the payload is not a JSON object or array.</summary>
    public bool PayloadIsBinary => Payload.Type == SqlType.Binary;

    /// <summary>The row attribute references read: the payload at top level, an element inside a nested query.</summary>
    internal SqlValue Row;

    /// <summary>True while <see cref="Row"/> is the payload itself (not a nested query element).</summary>
    internal bool RowIsPayload = true;

    /// <summary>Set when a function needing the cloud failed: the rule then runs no action (and no error action).</summary>
    public string? FailureMessage { get; private set; }

    public bool Failed => FailureMessage is not null;

    /// <summary>Records an evaluation failure (the first one wins) and returns Undefined for the caller to return.</summary>
    public SqlValue Fail(string message)
    {
        FailureMessage ??= message;
        return SqlValue.Undefined;
    }

    internal void ClearFailure() => FailureMessage = null;

    /// <summary>The value of SET variable <paramref name="name"/> (without '@'), Undefined when not set.</summary>
    public SqlValue GetVariable(string name)
    {
        if (_variables is not null)
        {
            foreach (var v in _variables)
            {
                if (string.Equals(v.Key, name, StringComparison.Ordinal))
                {
                    return v.Value;
                }
            }
        }
        return SqlValue.Undefined;
    }

    internal void SetVariable(string name, SqlValue value) =>
        (_variables ??= new List<KeyValuePair<string, SqlValue>>(2)).Add(new KeyValuePair<string, SqlValue>(name, value));

    private SqlValue ParsePayload()
    {
        var bytes = Message.Payload;
        if (bytes.IsEmpty)
        {
            return SqlValue.FromObject(new SqlObject(0));
        }
        var first = FirstNonWhitespace(bytes.Span);
        if ((first == '{' || first == '[') && SqlJson.TryParseDocument(bytes, out var doc))
        {
            _document = doc;
            return SqlValue.FromJson(doc!.RootElement);
        }
        return SqlValue.FromBinary(bytes);
    }

    private static byte FirstNonWhitespace(ReadOnlySpan<byte> span)
    {
        // Skip a UTF-8 byte order mark and JSON whitespace.
        if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
        {
            span = span[3..];
        }
        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }
        return 0;
    }

    public void Dispose()
    {
        _document?.Dispose();
        _document = null;
    }
}
