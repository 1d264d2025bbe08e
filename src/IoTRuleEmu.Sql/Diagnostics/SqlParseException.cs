namespace IoTRuleEmu.Sql.Diagnostics;

/// <summary>
/// The SQL could not be parsed (AWS's <c>SqlParseException</c>). The message names the line and column, what was
/// expected, and shows the statement with a caret under the error.
/// </summary>
public sealed class SqlParseException : Exception
{
    public SqlParseException(SqlDiagnostic diagnostic) : base(diagnostic.ToString()) => Diagnostic = diagnostic;

    public SqlDiagnostic Diagnostic { get; }

    /// <summary>1-based line of the error.</summary>
    public int Line => Diagnostic.Line;

    /// <summary>1-based column of the error.</summary>
    public int Column => Diagnostic.Column;

    /// <summary>0-based character offset of the error.</summary>
    public int Offset => Diagnostic.Offset;
}

/// <summary>One problem in a statement: where it is and what is wrong.</summary>
public sealed record SqlDiagnostic(string Reason, int Offset, int Line, int Column, string Source)
{
    /// <summary>Builds a diagnostic for <paramref name="offset"/> in <paramref name="source"/>, computing line and column.</summary>
    public static SqlDiagnostic At(string source, int offset, string reason)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new SqlDiagnostic(reason, offset, line, offset - lineStart + 1, source);
    }

    /// <summary>"line 1, column 8: Expected … \n SELECT … \n        ^"</summary>
    public override string ToString()
    {
        var lineStart = Offset;
        while (lineStart > 0 && Source[lineStart - 1] != '\n')
        {
            lineStart--;
        }
        var lineEnd = Source.IndexOf('\n', lineStart);
        var text = (lineEnd < 0 ? Source[lineStart..] : Source[lineStart..lineEnd]).TrimEnd('\r');
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"line {Line}, column {Column}: {Reason}\n{text}\n{new string(' ', Column - 1)}^");
    }
}
