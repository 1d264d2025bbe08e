using System.Text;
using IoTRuleEmu.Sql.Compilation;
using IoTRuleEmu.Sql.Parsing;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Templates;

/// <summary>
/// A rule-action string with <c>${expression}</c> substitution templates (iot-sql.md §6), compiled once.
/// Rendering evaluates each expression against the original message (not the SELECT output), with the
/// statement's SET variables visible; a value renders as its String conversion, and Undefined or Null as "".
/// </summary>
public sealed class SubstitutionTemplate
{
    private readonly Part[] _parts;

    private SubstitutionTemplate(string text, SqlVersion version, Part[] parts)
    {
        Text = text;
        Version = version;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    public SqlVersion Version { get; }

    /// <summary>True when the text has no <c>${…}</c>: rendering returns <see cref="Text"/> unchanged.</summary>
    public bool IsConstant => _parts.Length == 0 || (_parts.Length == 1 && _parts[0].Expression is null);

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="Diagnostics.SqlParseException"/> for a bad expression or a missing '}'.</summary>
    public static SubstitutionTemplate Parse(string text, SqlVersion version = SqlVersion.V2015_10_08)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<Part>();
        var compiler = new SqlCompiler(version);
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new Part(literal.ToString(), null));
                    literal.Clear();
                }
                var (expression, end) = SqlParser.ParseTemplateExpression(text, i + 2, version);
                parts.Add(new Part(null, compiler.Compile(expression)));
                i = end;
                continue;
            }
            literal.Append(text[i]);
            i++;
        }
        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null));
        }
        return new SubstitutionTemplate(text, version, [.. parts]);
    }

    /// <summary>Renders the template for the message of <paramref name="context"/>.</summary>
    public string Render(EvalContext context)
    {
        if (IsConstant)
        {
            return Text;
        }
        var savedVersion = context.Version;
        context.Version = Version;
        context.Row = context.Payload;
        context.RowIsPayload = true;
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Expression is null)
            {
                sb.Append(part.Literal);
                continue;
            }
            var value = part.Expression(context);
            sb.Append(SqlConversions.ToText(value, Version));
        }
        context.Version = savedVersion;
        return sb.ToString();
    }

    public override string ToString() => Text;

    private sealed record Part(string? Literal, SqlEvaluator? Expression);
}
