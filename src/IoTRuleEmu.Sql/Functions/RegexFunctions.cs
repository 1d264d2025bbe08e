using System.Text;
using System.Text.RegularExpressions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// <c>regexp_matches</c>, <c>regexp_replace</c>, <c>regexp_substr</c>. AWS runs <c>java.util.regex</c>: patterns are
/// translated to .NET (<see cref="JavaRegex"/>), matching is "find anywhere", replacements use Java's <c>$n</c> syntax.
/// Invalid patterns, and matching that exceeds the timeout, give Undefined.
/// </summary>
internal static class RegexFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("regexp_matches", 2, 2, V2015, Matches);
        t.Add("regexp_replace", 3, 3, V2015, Replace);
        t.Add("regexp_substr", 2, 2, V2015, Substr);
    }

    private static SqlValue Matches(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s)
            || !FunctionArgs.TryString(args[1], context.Version, out var pattern)
            || JavaRegex.Get(pattern) is not { } regex)
        {
            return SqlValue.Undefined;
        }
        try
        {
            return SqlValue.FromBool(regex.IsMatch(s));
        }
        catch (RegexMatchTimeoutException)
        {
            return SqlValue.Undefined;
        }
    }

    /// <summary><c>regexp_substr(s, re)</c>: the first match; "" when nothing matches.</summary>
    private static SqlValue Substr(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s)
            || !FunctionArgs.TryString(args[1], context.Version, out var pattern)
            || JavaRegex.Get(pattern) is not { } regex)
        {
            return SqlValue.Undefined;
        }
        try
        {
            var match = regex.Match(s);
            return match.Success ? SqlValue.FromString(match.Value) : SqlValue.EmptyString;
        }
        catch (RegexMatchTimeoutException)
        {
            return SqlValue.Undefined;
        }
    }

    /// <summary><c>regexp_replace(s, re, repl)</c>: every match replaced; <c>$n</c>/<c>${name}</c> insert groups, <c>\x</c> is x.</summary>
    private static SqlValue Replace(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var version = context.Version;
        if (!FunctionArgs.TryString(args[0], version, out var s)
            || !FunctionArgs.TryString(args[1], version, out var pattern)
            || !FunctionArgs.TryString(args[2], version, out var replacement)
            || JavaRegex.Get(pattern) is not { } regex
            || JavaReplacement.Parse(replacement, regex) is not { } template)
        {
            return SqlValue.Undefined;
        }
        try
        {
            return SqlValue.FromString(template.IsLiteral
                ? regex.Replace(s, template.Literal.Replace("$", "$$", StringComparison.Ordinal))
                : regex.Replace(s, template.Evaluate));
        }
        catch (RegexMatchTimeoutException)
        {
            return SqlValue.Undefined;
        }
    }
}

/// <summary>A Java replacement string (<c>Matcher.appendReplacement</c> rules) parsed once per call.</summary>
internal sealed class JavaReplacement
{
    // Each part is either literal text (Group = -1, Name = null) or a group reference.
    private readonly List<(string? Text, int Group, string? Name)> _parts;

    private JavaReplacement(List<(string? Text, int Group, string? Name)> parts) => _parts = parts;

    public bool IsLiteral => _parts.Count == 0 || (_parts.Count == 1 && _parts[0].Text is not null);

    public string Literal => _parts.Count == 0 ? string.Empty : _parts[0].Text!;

    /// <summary>Parses <paramref name="text"/>; null when Java would throw (a lone <c>$</c>, a missing group, a trailing <c>\</c>).</summary>
    public static JavaReplacement? Parse(string text, Regex regex)
    {
        var parts = new List<(string?, int, string?)>();
        var literal = new StringBuilder();
        var groupCount = regex.GetGroupNumbers().Length - 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (++i >= text.Length)
                {
                    return null;
                }
                literal.Append(text[i]);
            }
            else if (c == '$')
            {
                if (++i >= text.Length)
                {
                    return null;
                }
                if (text[i] == '{')
                {
                    var close = text.IndexOf('}', i);
                    if (close < 0)
                    {
                        return null;
                    }
                    var name = text[(i + 1)..close];
                    if (name.Length == 0 || !char.IsAsciiLetter(name[0]) || regex.GroupNumberFromName(name) < 0)
                    {
                        return null;
                    }
                    Flush(parts, literal);
                    parts.Add((null, -1, name));
                    i = close;
                }
                else if (char.IsAsciiDigit(text[i]))
                {
                    // Java reads the first digit, then more digits while the number stays a valid group.
                    var number = text[i] - '0';
                    if (number > groupCount)
                    {
                        return null;
                    }
                    while (i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
                    {
                        var next = number * 10 + (text[i + 1] - '0');
                        if (next > groupCount)
                        {
                            break;
                        }
                        number = next;
                        i++;
                    }
                    Flush(parts, literal);
                    parts.Add((null, number, null));
                }
                else
                {
                    return null;
                }
            }
            else
            {
                literal.Append(c);
            }
        }
        Flush(parts, literal);
        return new JavaReplacement(parts);
    }

    private static void Flush(List<(string?, int, string?)> parts, StringBuilder literal)
    {
        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), -1, null));
            literal.Clear();
        }
    }

    public string Evaluate(Match match)
    {
        var sb = new StringBuilder();
        foreach (var (text, group, name) in _parts)
        {
            if (text is not null)
            {
                sb.Append(text);
                continue;
            }
            var g = name is null ? match.Groups[group] : match.Groups[name];
            if (g.Success)
            {
                sb.Append(g.Value);
            }
        }
        return sb.ToString();
    }
}

/// <summary>
/// Translates <c>java.util.regex</c> patterns to .NET and caches the compiled result. Covered: <c>\Q…\E</c>, ASCII-only
/// <c>\d \w \s</c> (Java's default), POSIX <c>\p{Alpha}</c>-style classes, <c>\h \v \R</c>, <c>\x{…}</c>, possessive
/// quantifiers (→ atomic groups), and Java's rejection of a stray <c>{</c>. Class intersections (<c>&amp;&amp;</c>) and
/// nested classes have no .NET form: such patterns are treated as invalid (Undefined).
/// </summary>
internal static class JavaRegex
{
    private static readonly PatternCache<Regex> s_cache = new(512, Create);


    /// <summary>How long one match may run before the function gives Undefined (catastrophic backtracking).</summary>
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);


    /// <summary>The compiled .NET regex for a Java pattern; null when Java (or the translation) rejects it.</summary>
    public static Regex? Get(string javaPattern) => s_cache.Get(javaPattern);

    private static Regex? Create(string javaPattern)
    {
        var translated = Translate(javaPattern);
        if (translated is null)
        {
            return null;
        }
        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private const string Digit = "0-9";
    private const string Word = "a-zA-Z_0-9";
    private const string Space = " \\t\\n\\x0B\\f\\r";
    private const string HSpace = " \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000";
    private const string VSpace = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";

    /// <summary>The contents (without brackets) of a Java POSIX class such as <c>\p{Alpha}</c>; null when not one.</summary>
    private static string? PosixClass(string name) => name switch
    {
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "ASCII" => "\\x00-\\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => Digit,
        "Alnum" => "a-zA-Z0-9",
        "Punct" => "!-/:-@\\[-`{-~",
        "Graph" => "!-~",
        "Print" => " -~",
        "Blank" => " \\t",
        "Cntrl" => "\\x00-\\x1F\\x7F",
        "XDigit" => "0-9a-fA-F",
        "Space" => Space,
        "javaLowerCase" => "\\p{Ll}",
        "javaUpperCase" => "\\p{Lu}",
        "javaWhitespace" => "\\s",
        "javaDigit" => "\\p{Nd}",
        "javaLetter" => "\\p{L}",
        "javaLetterOrDigit" => "\\p{L}\\p{Nd}",
        "IsAlphabetic" or "IsLetter" => "\\p{L}",
        "IsDigit" => "\\p{Nd}",
        "IsUppercase" => "\\p{Lu}",
        "IsLowercase" => "\\p{Ll}",
        "IsWhite_Space" or "IsWhiteSpace" => "\\s",
        _ => null,
    };

    /// <summary>Java pattern → .NET pattern; null when it cannot be expressed (or Java would reject it).</summary>
    internal static string? Translate(string p)
    {
        var sb = new StringBuilder(p.Length + 16);
        var groupStarts = new Stack<int>();
        var atomStart = -1;
        var i = 0;
        while (i < p.Length)
        {
            var c = p[i];
            switch (c)
            {
                case '\\':
                {
                    if (i + 1 >= p.Length)
                    {
                        return null;
                    }
                    atomStart = sb.Length;
                    if (!TranslateEscape(p, ref i, sb, inClass: false))
                    {
                        return null;
                    }
                    break;
                }
                case '[':
                    atomStart = sb.Length;
                    if (!TranslateClass(p, ref i, sb))
                    {
                        return null;
                    }
                    break;
                case '(':
                    groupStarts.Push(sb.Length);
                    sb.Append('(');
                    i++;
                    if (i < p.Length && p[i] == '?')
                    {
                        // Inline flags Java has and .NET lacks: d (UNIX_LINES), u (UNICODE_CASE), U (UNICODE_CHARACTER_CLASS).
                        var j = i + 1;
                        while (j < p.Length && (char.IsAsciiLetter(p[j]) || p[j] == '-'))
                        {
                            j++;
                        }
                        if (j < p.Length && (p[j] == ')' || p[j] == ':') && j > i + 1)
                        {
                            sb.Append('?');
                            foreach (var flag in p.AsSpan(i + 1, j - i - 1))
                            {
                                if (flag is not ('d' or 'u' or 'U'))
                                {
                                    sb.Append(flag);
                                }
                            }
                            if (sb[^1] == '?' && p[j] == ')')
                            {
                                // Only dropped flags: an empty group "()" would capture; make it a no-op.
                                sb.Append(':');
                            }
                            i = j;
                        }
                        else
                        {
                            // (?: (?= (?! (?> (?<= (?<! (?<name>: copy the construct's opening verbatim.
                            sb.Append('?');
                            i++;
                            if (i < p.Length && p[i] == '<' && i + 1 < p.Length && p[i + 1] is not ('=' or '!'))
                            {
                                var close = p.IndexOf('>', i);
                                if (close < 0)
                                {
                                    return null;
                                }
                                sb.Append(p, i, close - i + 1);
                                i = close + 1;
                            }
                            else if (i < p.Length)
                            {
                                sb.Append(p[i]);
                                i++;
                                if (p[i - 1] == '<' && i < p.Length)
                                {
                                    sb.Append(p[i]);
                                    i++;
                                }
                            }
                        }
                    }
                    atomStart = -1;
                    break;
                case ')':
                    sb.Append(')');
                    i++;
                    atomStart = groupStarts.Count > 0 ? groupStarts.Pop() : -1;
                    break;
                case '*' or '+' or '?' or '{':
                {
                    var start = i;
                    if (c == '{')
                    {
                        var close = p.IndexOf('}', i);
                        if (close < 0 || !IsBoundedQuantifier(p.AsSpan(i + 1, close - i - 1)))
                        {
                            return null;
                        }
                        i = close + 1;
                    }
                    else
                    {
                        i++;
                    }
                    if (atomStart < 0)
                    {
                        // Java: "Dangling meta character".
                        return null;
                    }
                    var quantifier = p[start..i];
                    if (i < p.Length && p[i] == '+')
                    {
                        // Possessive: X*+ ≡ (?>X*)
                        sb.Insert(atomStart, "(?>").Append(quantifier).Append(')');
                        i++;
                    }
                    else
                    {
                        sb.Append(quantifier);
                        if (i < p.Length && p[i] == '?')
                        {
                            sb.Append('?');
                            i++;
                        }
                    }
                    atomStart = -1;
                    break;
                }
                case '|':
                    sb.Append('|');
                    i++;
                    atomStart = -1;
                    break;
                case '^' or '$':
                    sb.Append(c);
                    i++;
                    atomStart = -1;
                    break;
                default:
                    atomStart = sb.Length;
                    sb.Append(c);
                    i++;
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool IsBoundedQuantifier(ReadOnlySpan<char> body)
    {
        // n | n, | n,m
        var comma = body.IndexOf(',');
        var first = comma < 0 ? body : body[..comma];
        if (first.IsEmpty || !IsDigits(first))
        {
            return false;
        }
        return comma < 0 || body[(comma + 1)..].IsEmpty || IsDigits(body[(comma + 1)..]);
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var ch in s)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Translates the escape at <paramref name="i"/> (a backslash) and moves past it.</summary>
    private static bool TranslateEscape(string p, ref int i, StringBuilder sb, bool inClass)
    {
        var e = p[i + 1];
        switch (e)
        {
            case 'Q':
            {
                var end = p.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                var literal = end < 0 ? p[(i + 2)..] : p[(i + 2)..end];
                foreach (var ch in literal)
                {
                    AppendLiteral(sb, ch);
                }
                i = end < 0 ? p.Length : end + 2;
                return true;
            }
            case 'd' or 'w' or 's' or 'h' or 'v':
            {
                var set = e switch { 'd' => Digit, 'w' => Word, 's' => Space, 'h' => HSpace, _ => VSpace };
                sb.Append(inClass ? set : "[" + set + "]");
                i += 2;
                return true;
            }
            case 'D' or 'W' or 'S' or 'H' or 'V':
            {
                if (inClass)
                {
                    // A negated set inside a class has no exact .NET form for \H and \V; \D \W \S keep .NET's meaning.
                    if (e is 'H' or 'V')
                    {
                        return false;
                    }
                    sb.Append('\\').Append(e);
                }
                else
                {
                    var set = e switch { 'D' => Digit, 'W' => Word, 'S' => Space, 'H' => HSpace, _ => VSpace };
                    sb.Append("[^").Append(set).Append(']');
                }
                i += 2;
                return true;
            }
            case 'R' when !inClass:
                sb.Append("(?:\\r\\n|[").Append(VSpace).Append("])");
                i += 2;
                return true;
            case 'p' or 'P':
            {
                string name;
                int next;
                if (i + 2 < p.Length && p[i + 2] == '{')
                {
                    var close = p.IndexOf('}', i + 3);
                    if (close < 0)
                    {
                        return false;
                    }
                    name = p[(i + 3)..close];
                    next = close + 1;
                }
                else if (i + 2 < p.Length)
                {
                    name = p[(i + 2)..(i + 3)];
                    next = i + 3;
                }
                else
                {
                    return false;
                }
                var posix = PosixClass(name.StartsWith("Is", StringComparison.Ordinal) && PosixClass(name) is null ? name[2..] : name);
                if (posix is not null)
                {
                    if (e == 'P' && inClass)
                    {
                        return false;
                    }
                    sb.Append(inClass ? posix : (e == 'P' ? "[^" : "[") + posix + "]");
                }
                else
                {
                    // Unicode categories (\p{L}, \p{Lu}) and blocks: Java's "In"/"Is" prefixes.
                    var netName = name.StartsWith("In", StringComparison.Ordinal) ? "Is" + name[2..].Replace("_", string.Empty, StringComparison.Ordinal)
                        : name.StartsWith("Is", StringComparison.Ordinal) && name.Length <= 4 ? name[2..]
                        : name.StartsWith("general_category=", StringComparison.Ordinal) ? name[17..]
                        : name;
                    sb.Append('\\').Append(e).Append('{').Append(netName).Append('}');
                }
                i = next;
                return true;
            }
            case 'x' when i + 2 < p.Length && p[i + 2] == '{':
            {
                var close = p.IndexOf('}', i + 3);
                if (close < 0 || !int.TryParse(p.AsSpan(i + 3, close - i - 3), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)
                    || code > 0x10FFFF)
                {
                    return false;
                }
                var text = char.ConvertFromUtf32(code);
                foreach (var ch in text)
                {
                    sb.Append("\\u").Append(((int)ch).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
                i = close + 1;
                return true;
            }
            default:
                sb.Append('\\').Append(e);
                i += 2;
                return true;
        }
    }

    private static void AppendLiteral(StringBuilder sb, char ch)
    {
        if ("\\^$.|?*+()[]{}-#/ ".Contains(ch, StringComparison.Ordinal) || char.IsWhiteSpace(ch))
        {
            sb.Append("\\u").Append(((int)ch).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append(ch);
        }
    }

    /// <summary>Translates the character class starting at <paramref name="i"/> (<c>[</c>).</summary>
    private static bool TranslateClass(string p, ref int i, StringBuilder sb)
    {
        sb.Append('[');
        i++;
        if (i < p.Length && p[i] == '^')
        {
            sb.Append('^');
            i++;
        }
        var first = true;
        while (i < p.Length)
        {
            var c = p[i];
            if (c == ']' && !first)
            {
                sb.Append(']');
                i++;
                return true;
            }
            first = false;
            if (c == '[' || (c == '&' && i + 1 < p.Length && p[i + 1] == '&'))
            {
                // Nested classes (union) and intersections: no .NET equivalent.
                return false;
            }
            if (c == '\\')
            {
                if (i + 1 >= p.Length || !TranslateEscape(p, ref i, sb, inClass: true))
                {
                    return false;
                }
                continue;
            }
            if (c == ']')
            {
                // "[]…]": Java rejects an empty class.
                return false;
            }
            sb.Append(c);
            i++;
        }
        // Unclosed class.
        return false;
    }
}
