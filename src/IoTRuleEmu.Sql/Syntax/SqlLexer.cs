using System.Collections.Frozen;
using System.Text;
using IoTRuleEmu.Sql.Diagnostics;

namespace IoTRuleEmu.Sql.Syntax;

public enum TokenKind : byte
{
    End,
    Identifier,
    Variable,
    Integer,
    Decimal,
    String,
    // keywords
    Select, From, Where, Set, As, And, Or, Not, In, Case, When, Then, Else, EndKeyword, True, False, Null,
    // punctuation
    Star, Comma, Dot, LParen, RParen, LBrace, RBrace, LBracket, RBracket, Colon,
    Eq, NotEq, Lt, LtEq, Gt, GtEq, Plus, Minus, Slash, Percent,
}

/// <summary>One token: kind, text (identifier name, unescaped string, number text) and where it starts and ends.</summary>
public readonly record struct SqlToken(TokenKind Kind, string Text, int Start, int End)
{
    public bool IsKeyword => Kind is >= TokenKind.Select and <= TokenKind.Null;

    /// <summary>A word (identifier or keyword), usable as a member name after '.' or as an alias segment.</summary>
    public bool IsWord => Kind == TokenKind.Identifier || IsKeyword;
}

/// <summary>Turns AWS IoT SQL text into tokens. Keywords are case-insensitive; there are no comments.</summary>
public sealed class SqlLexer
{
    private static readonly FrozenDictionary<string, TokenKind> s_keywords = new Dictionary<string, TokenKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["SELECT"] = TokenKind.Select, ["FROM"] = TokenKind.From, ["WHERE"] = TokenKind.Where, ["SET"] = TokenKind.Set,
        ["AS"] = TokenKind.As, ["AND"] = TokenKind.And, ["OR"] = TokenKind.Or, ["NOT"] = TokenKind.Not, ["IN"] = TokenKind.In,
        ["CASE"] = TokenKind.Case, ["WHEN"] = TokenKind.When, ["THEN"] = TokenKind.Then, ["ELSE"] = TokenKind.Else,
        ["END"] = TokenKind.EndKeyword, ["TRUE"] = TokenKind.True, ["FALSE"] = TokenKind.False, ["NULL"] = TokenKind.Null,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly string _source;
    private readonly StringBuilder _builder = new();
    private int _pos;

    public SqlLexer(string source, int start = 0)
    {
        _source = source;
        _pos = start;
    }

    public string Source => _source;

    /// <summary>The offset just after the last token read.</summary>
    public int Position => _pos;

    public SqlToken Next()
    {
        var s = _source;
        while (_pos < s.Length && char.IsWhiteSpace(s[_pos]))
        {
            _pos++;
        }
        if (_pos >= s.Length)
        {
            return new SqlToken(TokenKind.End, string.Empty, s.Length, s.Length);
        }
        var start = _pos;
        var c = s[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_pos < s.Length && (char.IsAsciiLetterOrDigit(s[_pos]) || s[_pos] == '_'))
            {
                _pos++;
            }
            var word = s[start.._pos];
            return new SqlToken(s_keywords.TryGetValue(word, out var kw) ? kw : TokenKind.Identifier, word, start, _pos);
        }
        if (char.IsAsciiDigit(c))
        {
            return ReadNumber(start);
        }
        switch (c)
        {
            case '\'':
            case '"':
                return ReadString(start, c);
            case '@':
                _pos++;
                while (_pos < s.Length && (char.IsAsciiLetterOrDigit(s[_pos]) || s[_pos] == '_'))
                {
                    _pos++;
                }
                if (_pos == start + 1)
                {
                    throw Error(start, "Expected a variable name after '@'");
                }
                return new SqlToken(TokenKind.Variable, s[(start + 1).._pos], start, _pos);
            case '*': return Single(TokenKind.Star);
            case ',': return Single(TokenKind.Comma);
            case '.': return Single(TokenKind.Dot);
            case '(': return Single(TokenKind.LParen);
            case ')': return Single(TokenKind.RParen);
            case '{': return Single(TokenKind.LBrace);
            case '}': return Single(TokenKind.RBrace);
            case '[': return Single(TokenKind.LBracket);
            case ']': return Single(TokenKind.RBracket);
            case ':': return Single(TokenKind.Colon);
            case '=': return Single(TokenKind.Eq);
            case '+': return Single(TokenKind.Plus);
            case '-': return Single(TokenKind.Minus);
            case '/': return Single(TokenKind.Slash);
            case '%': return Single(TokenKind.Percent);
            case '<':
                if (Peek(1) == '>')
                {
                    return Double(TokenKind.NotEq);
                }
                return Peek(1) == '=' ? Double(TokenKind.LtEq) : Single(TokenKind.Lt);
            case '>':
                return Peek(1) == '=' ? Double(TokenKind.GtEq) : Single(TokenKind.Gt);
            case '!':
                if (Peek(1) == '=')
                {
                    return Double(TokenKind.NotEq);
                }
                break;
            case '|':
                if (Peek(1) == '|')
                {
                    throw Error(start, "'||' is not an AWS IoT SQL operator; use '+' or concat() to join strings");
                }
                break;
        }
        throw Error(start, $"Unexpected character '{c}'");
    }

    private char Peek(int ahead) => _pos + ahead < _source.Length ? _source[_pos + ahead] : '\0';

    private SqlToken Single(TokenKind kind)
    {
        _pos++;
        return new SqlToken(kind, _source[(_pos - 1).._pos], _pos - 1, _pos);
    }

    private SqlToken Double(TokenKind kind)
    {
        _pos += 2;
        return new SqlToken(kind, _source[(_pos - 2).._pos], _pos - 2, _pos);
    }

    private SqlToken ReadNumber(int start)
    {
        var s = _source;
        var isDecimal = false;
        while (_pos < s.Length && char.IsAsciiDigit(s[_pos]))
        {
            _pos++;
        }
        if (_pos < s.Length && s[_pos] == '.' && _pos + 1 < s.Length && char.IsAsciiDigit(s[_pos + 1]))
        {
            isDecimal = true;
            _pos++;
            while (_pos < s.Length && char.IsAsciiDigit(s[_pos]))
            {
                _pos++;
            }
        }
        if (_pos < s.Length && (s[_pos] == 'e' || s[_pos] == 'E'))
        {
            var save = _pos;
            _pos++;
            if (_pos < s.Length && (s[_pos] == '-' || s[_pos] == '+'))
            {
                _pos++;
            }
            if (_pos < s.Length && char.IsAsciiDigit(s[_pos]))
            {
                isDecimal = true;
                while (_pos < s.Length && char.IsAsciiDigit(s[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }
        if (_pos < s.Length && (char.IsAsciiLetter(s[_pos]) || s[_pos] == '_'))
        {
            throw Error(start, $"Invalid number '{s[start..(_pos + 1)]}': an attribute name cannot start with a digit; use get(object, \"name\")");
        }
        return new SqlToken(isDecimal ? TokenKind.Decimal : TokenKind.Integer, s[start.._pos], start, _pos);
    }

    /// <summary>Single- or double-quoted string; a doubled quote inside stands for one quote.</summary>
    private SqlToken ReadString(int start, char quote)
    {
        var s = _source;
        var sb = _builder.Clear();
        _pos++;
        while (true)
        {
            if (_pos >= s.Length)
            {
                throw Error(start, "Unterminated string literal");
            }
            var c = s[_pos++];
            if (c == quote)
            {
                if (_pos < s.Length && s[_pos] == quote)
                {
                    sb.Append(quote);
                    _pos++;
                    continue;
                }
                return new SqlToken(TokenKind.String, sb.ToString(), start, _pos);
            }
            sb.Append(c);
        }
    }

    private SqlParseException Error(int offset, string reason) => new(SqlDiagnostic.At(_source, offset, reason));
}
