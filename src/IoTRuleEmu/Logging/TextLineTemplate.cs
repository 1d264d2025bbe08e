using System.Runtime.CompilerServices;
using System.Text;
using Serilog.Parsing;

namespace IoTRuleEmu.Logging;

/// <summary>
/// A message template (a <c>[LoggerMessage]</c> or <c>LogInformation</c> format) prepared for <see cref="TextLineLogger"/>:
/// its text already UTF-8, its placeholders in order. Parsed with Serilog's own parser, so the text between placeholders
/// (<c>{{</c> unescaping included) is what Serilog renders.
/// </summary>
internal sealed class TextLineTemplate
{
    /// <summary>More placeholders than this and the event goes through Serilog.</summary>
    public const int MaxPlaceholders = 16;

    private static readonly MessageTemplateParser s_parser = new();

    // Keyed by the format string's identity: [LoggerMessage] formats are literals, so every event of one kind finds its
    // template without hashing the text; a format built at run time is collected with its string.
    private static readonly ConditionalWeakTable<string, TextLineTemplate> s_cache = new();

    // Where each placeholder's value sat in the last state seen: one kind of event always lists its values in the same
    // order, so a lookup is one comparison. Races only cost a search.
    private readonly int[] _positions;

    private TextLineTemplate(byte[]?[] literals, string[] propertyNames, int literalBytes, bool renderable)
    {
        Literals = literals;
        PropertyNames = propertyNames;
        LiteralBytes = literalBytes;
        Renderable = renderable;
        _positions = new int[propertyNames.Length];
    }

    /// <summary>The template in order: UTF-8 text, or null where the next placeholder goes.</summary>
    public byte[]?[] Literals { get; }

    /// <summary>The placeholders' property names, in order.</summary>
    public string[] PropertyNames { get; }

    /// <summary>Bytes of literal text.</summary>
    public int LiteralBytes { get; }

    /// <summary>
    /// False when Serilog would render a placeholder differently from a plain value (a format, alignment, <c>@</c>/<c>$</c>
    /// hint, positional or repeated name) or there are too many: such events keep going through Serilog.
    /// </summary>
    public bool Renderable { get; }

    public static TextLineTemplate For(string format) => s_cache.GetValue(format, Parse);

    /// <summary>The value of placeholder <paramref name="placeholder"/> in an event's state (its last entry is the format).</summary>
    public bool TryGetValue(IReadOnlyList<KeyValuePair<string, object?>> values, int placeholder, out object? value)
    {
        var name = PropertyNames[placeholder];
        var position = _positions[placeholder];
        var count = values.Count - 1;
        if (position < count)
        {
            var candidate = values[position];
            if (string.Equals(candidate.Key, name, StringComparison.Ordinal))
            {
                value = candidate.Value;
                return true;
            }
        }
        for (var i = 0; i < count; i++)
        {
            var candidate = values[i];
            if (string.Equals(candidate.Key, name, StringComparison.Ordinal))
            {
                _positions[placeholder] = i;
                value = candidate.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    private static TextLineTemplate Parse(string format)
    {
        var literals = new List<byte[]?>();
        var names = new List<string>();
        var renderable = true;
        var literalBytes = 0;
        foreach (var token in s_parser.Parse(format).Tokens)
        {
            switch (token)
            {
                case TextToken text:
                    var utf8 = Encoding.UTF8.GetBytes(text.Text);
                    literalBytes += utf8.Length;
                    literals.Add(utf8);
                    break;
                case PropertyToken property:
                    renderable &= property.Format is null && property.Alignment is null && !property.IsPositional
                        && property.Destructuring == Destructuring.Default && !names.Contains(property.PropertyName);
                    literals.Add(null);
                    names.Add(property.PropertyName);
                    break;
            }
        }
        renderable &= names.Count <= MaxPlaceholders;
        return new TextLineTemplate([.. literals], [.. names], literalBytes, renderable);
    }
}
