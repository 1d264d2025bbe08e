using System.Globalization;
using System.Numerics;
using IoTRuleEmu.Sql.Ast;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;
using IoTRuleEmu.Sql.Syntax;

namespace IoTRuleEmu.Sql.Parsing;

/// <summary>
/// Recursive-descent parser for AWS IoT SQL (iot-sql.md §1.10). Precedence, lowest first: OR, AND, NOT,
/// comparisons and IN (non-associative), + -, * / %, unary minus, member access. Every error is a
/// <see cref="SqlParseException"/> naming the line, the column and what was expected.
/// </summary>
public sealed class SqlParser
{
    /// <summary>Nesting deeper than this is an error rather than a stack overflow.</summary>
    public const int MaxDepth = 128;

    /// <summary>AWS allows at most 10 SET variables per statement.</summary>
    public const int MaxVariables = 10;

    /// <summary>Variable names are at most 64 characters.</summary>
    public const int MaxVariableNameLength = 64;

    private readonly SqlLexer _lexer;
    private readonly SqlVersion _version;
    private readonly string _source;
    private readonly HashSet<string>? _declaredVariables;
    private readonly bool _checkVariables;
    private SqlToken _token;
    private SqlToken _peeked;
    private bool _hasPeeked;
    private int _depth;

    private SqlParser(string source, int start, SqlVersion version, bool checkVariables)
    {
        _source = source;
        _version = version;
        _lexer = new SqlLexer(source, start);
        _checkVariables = checkVariables;
        _declaredVariables = checkVariables ? new HashSet<string>(StringComparer.Ordinal) : null;
        _token = _lexer.Next();
    }

    /// <summary>The token after the current one, read on demand (a template must not be lexed past its closing brace).</summary>
    private SqlToken PeekToken
    {
        get
        {
            if (!_hasPeeked)
            {
                _peeked = _token.Kind == TokenKind.End ? _token : _lexer.Next();
                _hasPeeked = true;
            }
            return _peeked;
        }
    }

    /// <summary>Parses a whole rule statement.</summary>
    public static SqlStatementSyntax ParseStatement(string sql, SqlVersion version)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql, 0, version, checkVariables: true);
        return parser.ParseStatementCore();
    }

    /// <summary>
    /// Parses one expression of a substitution template starting at <paramref name="start"/>, up to the closing '}'.
    /// Returns the expression and the offset just after the '}'.
    /// </summary>
    public static (SqlExpr Expression, int End) ParseTemplateExpression(string text, int start, SqlVersion version)
    {
        var parser = new SqlParser(text, start, version, checkVariables: false);
        var expr = parser.ParseExpression();
        if (parser._token.Kind != TokenKind.RBrace)
        {
            throw parser.Expected("'}' to close the substitution template");
        }
        return (expr, parser._token.End);
    }

    private SqlStatementSyntax ParseStatementCore()
    {
        var start = _token.Start;
        var assignments = new List<SetAssignment>();
        if (_token.Kind == TokenKind.Set)
        {
            Advance();
            do
            {
                assignments.Add(ParseAssignment(assignments.Count));
            }
            while (Accept(TokenKind.Comma));
        }
        if (_token.Kind != TokenKind.Select)
        {
            throw Expected(assignments.Count == 0 ? "SELECT (or SET)" : "',' or SELECT");
        }
        var select = ParseSelectClause();
        string? topic = null;
        if (_token.Kind == TokenKind.From)
        {
            Advance();
            if (_token.Kind != TokenKind.String)
            {
                throw Expected("a quoted topic filter after FROM, e.g. FROM 'sensors/+/telemetry'");
            }
            topic = _token.Text;
            var problem = TopicFilter.Validate(topic);
            if (problem is not null)
            {
                throw Error(_token.Start, $"Invalid topic filter '{topic}': {problem}");
            }
            Advance();
        }
        SqlExpr? where = null;
        if (_token.Kind == TokenKind.Where)
        {
            Advance();
            where = ParseExpression();
        }
        if (_token.Kind != TokenKind.End)
        {
            throw Expected(where is null && topic is null ? "FROM, WHERE or the end of the statement" : where is null ? "WHERE or the end of the statement" : "an operator or the end of the statement");
        }
        return new SqlStatementSyntax(assignments, select, topic, where, start, _token.End);
    }

    private SetAssignment ParseAssignment(int count)
    {
        if (_token.Kind != TokenKind.Variable)
        {
            throw Expected("a variable such as @name (variable names start with '@')");
        }
        var nameToken = _token;
        var name = nameToken.Text;
        if (name.Length > MaxVariableNameLength)
        {
            throw Error(nameToken.Start, $"Variable name '@{name}' is longer than {MaxVariableNameLength} characters");
        }
        if (_declaredVariables!.Contains(name))
        {
            throw Error(nameToken.Start, $"Variable '@{name}' is already assigned; SET variables are immutable");
        }
        if (count >= MaxVariables)
        {
            throw Error(nameToken.Start, $"A statement may SET at most {MaxVariables} variables");
        }
        Advance();
        ExpectAndAdvance(TokenKind.Eq, "'=' after the variable name");
        var value = ParseExpression();
        _declaredVariables.Add(name);
        return new SetAssignment(name, value, nameToken.Start, value.End);
    }

    private SelectClause ParseSelectClause()
    {
        var start = _token.Start;
        ExpectAndAdvance(TokenKind.Select, "SELECT");
        // VALUE is a keyword only where it introduces an expression: `SELECT value FROM` selects an attribute named value.
        if (_token.Kind == TokenKind.Identifier && string.Equals(_token.Text, "VALUE", StringComparison.OrdinalIgnoreCase) && StartsExpression(PeekToken))
        {
            Advance();
            var value = ParseExpression();
            return new SelectClause(value, [], start, value.End);
        }
        var items = new List<SelectItem>();
        do
        {
            items.Add(ParseSelectItem(items.Count + 1));
        }
        while (Accept(TokenKind.Comma));
        return new SelectClause(null, items, start, items[^1].End);
    }

    /// <summary>Keywords that start or join clauses cannot be alias names.</summary>
    private static bool IsClauseKeyword(TokenKind kind) =>
        kind is TokenKind.Select or TokenKind.From or TokenKind.Where or TokenKind.Set or TokenKind.As or TokenKind.And or TokenKind.Or or TokenKind.Not or TokenKind.In;

    private static bool StartsExpression(SqlToken t) => t.Kind switch
    {
        TokenKind.End or TokenKind.Comma or TokenKind.From or TokenKind.As or TokenKind.Where or TokenKind.RParen => false,
        TokenKind.Eq or TokenKind.NotEq or TokenKind.Lt or TokenKind.LtEq or TokenKind.Gt or TokenKind.GtEq or TokenKind.Plus or TokenKind.Slash or TokenKind.Percent or TokenKind.Dot => false,
        TokenKind.And or TokenKind.Or or TokenKind.In => false,
        _ => true,
    };

    private SelectItem ParseSelectItem(int position)
    {
        var start = _token.Start;
        SqlExpr? expr;
        if (_token.Kind == TokenKind.Star && PeekToken.Kind != TokenKind.Dot)
        {
            Advance();
            expr = null;
        }
        else
        {
            expr = ParseExpression();
        }
        if (_token.Kind == TokenKind.As)
        {
            Advance();
            var path = new List<string>();
            do
            {
                if (!_token.IsWord || IsClauseKeyword(_token.Kind))
                {
                    throw Expected("an alias name after AS");
                }
                path.Add(_token.Text);
                Advance();
            }
            while (Accept(TokenKind.Dot));
            return new SelectItem(expr ?? new StarExpr(start, start + 1), path, true, start, _token.Start);
        }
        if (expr is null)
        {
            return new SelectItem(null, [], false, start, start + 1);
        }
        return new SelectItem(expr, [DefaultKey(expr, position)], false, start, expr.End);
    }

    /// <summary>The output key of an un-aliased item: the last path segment, the function name, or "_N".</summary>
    private static string DefaultKey(SqlExpr expr, int position) => expr switch
    {
        AttributeExpr a => a.Name,
        MemberExpr m => m.Name,
        VariableExpr v => v.Name,
        FunctionCallExpr f => f.Name,
        CastExpr => "cast",
        _ => "_" + position.ToString(CultureInfo.InvariantCulture),
    };

    public SqlExpr ParseExpression()
    {
        if (++_depth > MaxDepth)
        {
            throw Error(_token.Start, $"The expression is nested more than {MaxDepth} levels deep");
        }
        var result = ParseOr();
        _depth--;
        return result;
    }

    private SqlExpr ParseOr()
    {
        var left = ParseAnd();
        while (_token.Kind == TokenKind.Or)
        {
            Advance();
            var right = ParseAnd();
            left = new BinaryExpr(BinaryOperator.Or, left, right, left.Start, right.End);
        }
        return left;
    }

    private SqlExpr ParseAnd()
    {
        var left = ParseNot();
        while (_token.Kind == TokenKind.And)
        {
            Advance();
            var right = ParseNot();
            left = new BinaryExpr(BinaryOperator.And, left, right, left.Start, right.End);
        }
        return left;
    }

    private SqlExpr ParseNot()
    {
        if (_token.Kind == TokenKind.Not)
        {
            var start = _token.Start;
            Advance();
            Enter();
            var operand = ParseNot();
            _depth--;
            return new UnaryExpr(UnaryOperator.Not, operand, start, operand.End);
        }
        return ParseComparison();
    }

    private SqlExpr ParseComparison()
    {
        var left = ParseAdditive();
        BinaryOperator? op = _token.Kind switch
        {
            TokenKind.Eq => BinaryOperator.Equal,
            TokenKind.NotEq => BinaryOperator.NotEqual,
            TokenKind.Lt => BinaryOperator.Less,
            TokenKind.LtEq => BinaryOperator.LessOrEqual,
            TokenKind.Gt => BinaryOperator.Greater,
            TokenKind.GtEq => BinaryOperator.GreaterOrEqual,
            TokenKind.In => BinaryOperator.In,
            _ => null,
        };
        if (op is null)
        {
            return left;
        }
        Advance();
        var right = ParseAdditive();
        if (_token.Kind is TokenKind.Eq or TokenKind.NotEq or TokenKind.Lt or TokenKind.LtEq or TokenKind.Gt or TokenKind.GtEq or TokenKind.In)
        {
            throw Error(_token.Start, "Comparisons cannot be chained; use AND or parentheses");
        }
        return new BinaryExpr(op.Value, left, right, left.Start, right.End);
    }

    private SqlExpr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (_token.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = _token.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract;
            Advance();
            var right = ParseMultiplicative();
            left = new BinaryExpr(op, left, right, left.Start, right.End);
        }
        return left;
    }

    private SqlExpr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (_token.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = _token.Kind switch
            {
                TokenKind.Star => BinaryOperator.Multiply,
                TokenKind.Slash => BinaryOperator.Divide,
                _ => BinaryOperator.Modulo,
            };
            Advance();
            var right = ParseUnary();
            left = new BinaryExpr(op, left, right, left.Start, right.End);
        }
        return left;
    }

    private SqlExpr ParseUnary()
    {
        if (_token.Kind is TokenKind.Minus or TokenKind.Plus)
        {
            var start = _token.Start;
            var negate = _token.Kind == TokenKind.Minus;
            Advance();
            // Fold a minus into a number literal so that -9223372036854775808 and -2.411E247 are literals.
            if (negate && _token.Kind is TokenKind.Integer or TokenKind.Decimal)
            {
                var literal = NumberLiteral(_token, negative: true, start);
                Advance();
                return ParsePostfix(literal);
            }
            Enter();
            var operand = ParseUnary();
            _depth--;
            return new UnaryExpr(negate ? UnaryOperator.Negate : UnaryOperator.Plus, operand, start, operand.End);
        }
        return ParsePostfix(ParsePrimary());
    }

    private SqlExpr ParsePostfix(SqlExpr expr)
    {
        while (true)
        {
            if (_token.Kind == TokenKind.Dot)
            {
                Advance();
                if (!_token.IsWord)
                {
                    throw _token.Kind is TokenKind.Integer
                        ? Error(_token.Start, "A member name cannot start with a digit; use get(value, index) or get(object, \"name\")")
                        : Expected("a member name after '.'");
                }
                expr = new MemberExpr(expr, _token.Text, expr.Start, _token.End);
                Advance();
                continue;
            }
            if (_token.Kind == TokenKind.LBracket)
            {
                throw Error(_token.Start, "Bracket indexing is not AWS IoT SQL; use get(array, index)");
            }
            return expr;
        }
    }

    private SqlExpr ParsePrimary()
    {
        var t = _token;
        switch (t.Kind)
        {
            case TokenKind.Integer:
            case TokenKind.Decimal:
                Advance();
                return NumberLiteral(t, negative: false, t.Start);
            case TokenKind.String:
                Advance();
                return new LiteralExpr(SqlValue.FromString(t.Text), t.Start, t.End);
            case TokenKind.True:
                Advance();
                return new LiteralExpr(SqlValue.True, t.Start, t.End);
            case TokenKind.False:
                Advance();
                return new LiteralExpr(SqlValue.False, t.Start, t.End);
            case TokenKind.Null:
                Advance();
                return new LiteralExpr(SqlValue.Null, t.Start, t.End);
            case TokenKind.Star:
                Advance();
                return new StarExpr(t.Start, t.End);
            case TokenKind.Variable:
                Advance();
                if (_checkVariables && !_declaredVariables!.Contains(t.Text))
                {
                    throw Error(t.Start, $"Variable '@{t.Text}' is not declared; declare it in the SET clause before it is used");
                }
                return new VariableExpr(t.Text, t.Start, t.End);
            case TokenKind.Identifier:
                if (PeekToken.Kind == TokenKind.LParen)
                {
                    return ParseCall();
                }
                Advance();
                return new AttributeExpr(t.Text, t.Start, t.End);
            case TokenKind.LParen:
                Advance();
                Enter();
                SqlExpr inner = _token.Kind == TokenKind.Select ? ParseNestedQuery(t.Start) : ParseExpression();
                _depth--;
                var close = _token;
                ExpectAndAdvance(TokenKind.RParen, "')'");
                return inner is NestedQueryExpr ? inner with { End = close.End } : inner;
            case TokenKind.Select:
                // A nested query may be a bare function argument: isNull(SELECT VALUE L1 FROM Pos).
                return ParseNestedQuery(t.Start);
            case TokenKind.Case:
                return ParseCase();
            case TokenKind.LBrace:
                return ParseObjectLiteral();
            case TokenKind.LBracket:
                return ParseArrayLiteral();
            default:
                throw Expected("an expression");
        }
    }

    private LiteralExpr NumberLiteral(SqlToken t, bool negative, int start)
    {
        var text = negative ? "-" + t.Text : t.Text;
        if (t.Kind == TokenKind.Integer)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return new LiteralExpr(SqlValue.FromInt(l), start, t.End);
            }
            return new LiteralExpr(SqlValue.FromInt(BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)), start, t.End);
        }
        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(d))
        {
            throw Error(t.Start, $"Number '{text}' is out of range");
        }
        return new LiteralExpr(SqlValue.FromDecimal(d), start, t.End);
    }

    private SqlExpr ParseCall()
    {
        var nameToken = _token;
        var name = nameToken.Text;
        Advance();
        Advance(); // (
        Enter();
        if (string.Equals(name, "cast", StringComparison.OrdinalIgnoreCase))
        {
            var value = ParseExpression();
            ExpectAndAdvance(TokenKind.As, "AS in cast(value AS type)");
            if (_token.Kind != TokenKind.Identifier)
            {
                throw Expected("a type name in cast(value AS type), e.g. String, Int, Decimal, Boolean");
            }
            var typeName = _token.Text;
            Advance();
            var end = _token.End;
            ExpectAndAdvance(TokenKind.RParen, "')' to close cast(");
            _depth--;
            return new CastExpr(value, typeName, nameToken.Start, end);
        }
        var function = SqlFunctionRegistry.Find(name)
            ?? throw Error(nameToken.Start, $"Unknown function '{name}'");
        if (!function.IsAvailableIn(_version))
        {
            throw Error(nameToken.Start, $"Function '{name}' requires awsIotSqlVersion 2016-03-23 (this rule uses {_version.ToText()})");
        }
        var args = new List<SqlExpr>();
        if (_token.Kind != TokenKind.RParen)
        {
            do
            {
                args.Add(ParseExpression());
            }
            while (Accept(TokenKind.Comma));
        }
        var close = _token;
        ExpectAndAdvance(TokenKind.RParen, args.Count == 0 ? "')' or an argument" : "',' or ')' in the argument list");
        _depth--;
        return new FunctionCallExpr(name, function, args, nameToken.Start, close.End);
    }

    private NestedQueryExpr ParseNestedQuery(int start)
    {
        Require2016(_token.Start, "Nested queries (SELECT … FROM attribute)");
        var select = ParseSelectClause();
        ExpectAndAdvance(TokenKind.From, "FROM in a nested query");
        SqlExpr source;
        if (_token.Kind == TokenKind.Star)
        {
            source = new StarExpr(_token.Start, _token.End);
            Advance();
        }
        else if (_token.Kind == TokenKind.String)
        {
            throw Error(_token.Start, "A nested query reads an attribute of the message (FROM attribute or FROM *), not a topic");
        }
        else
        {
            source = ParsePostfix(ParsePrimary());
        }
        SqlExpr? where = null;
        if (_token.Kind == TokenKind.Where)
        {
            Advance();
            where = ParseExpression();
        }
        return new NestedQueryExpr(select, source, where, start, (where ?? source).End);
    }

    private SqlExpr ParseCase()
    {
        var start = _token.Start;
        Advance();
        Enter();
        if (_token.Kind == TokenKind.When)
        {
            throw Error(_token.Start, "Only the simple CASE form exists in AWS IoT SQL: CASE value WHEN match THEN result … END");
        }
        var subject = ParseExpression();
        var whens = new List<CaseWhen>();
        while (_token.Kind == TokenKind.When)
        {
            Advance();
            var when = ParseExpression();
            ExpectAndAdvance(TokenKind.Then, "THEN");
            var then = ParseExpression();
            whens.Add(new CaseWhen(when, then));
        }
        if (whens.Count == 0)
        {
            throw Expected("WHEN");
        }
        SqlExpr? elseExpr = null;
        if (Accept(TokenKind.Else))
        {
            elseExpr = ParseExpression();
        }
        var end = _token.End;
        ExpectAndAdvance(TokenKind.EndKeyword, whens.Count > 0 && elseExpr is null ? "WHEN, ELSE or END" : "END");
        _depth--;
        return new CaseExpr(subject, whens, elseExpr, start, end);
    }

    private SqlExpr ParseObjectLiteral()
    {
        var start = _token.Start;
        Require2016(start, "Object literals");
        Advance();
        Enter();
        var members = new List<KeyValuePair<string, SqlExpr>>();
        if (_token.Kind != TokenKind.RBrace)
        {
            do
            {
                if (_token.Kind != TokenKind.String && !_token.IsWord)
                {
                    throw Expected("a quoted key in the object literal");
                }
                var key = _token.Text;
                Advance();
                ExpectAndAdvance(TokenKind.Colon, "':' after the key");
                members.Add(new KeyValuePair<string, SqlExpr>(key, ParseExpression()));
            }
            while (Accept(TokenKind.Comma));
        }
        var end = _token.End;
        ExpectAndAdvance(TokenKind.RBrace, "',' or '}' in the object literal");
        _depth--;
        return new ObjectLiteralExpr(members, start, end);
    }

    private SqlExpr ParseArrayLiteral()
    {
        var start = _token.Start;
        Require2016(start, "Array literals");
        Advance();
        Enter();
        var elements = new List<SqlExpr>();
        if (_token.Kind != TokenKind.RBracket)
        {
            do
            {
                elements.Add(ParseExpression());
            }
            while (Accept(TokenKind.Comma));
        }
        var end = _token.End;
        ExpectAndAdvance(TokenKind.RBracket, "',' or ']' in the array literal");
        _depth--;
        return new ArrayLiteralExpr(elements, start, end);
    }

    private void Require2016(int offset, string what)
    {
        if (!_version.Is2016())
        {
            throw Error(offset, $"{what} require awsIotSqlVersion 2016-03-23 (this rule uses {_version.ToText()})");
        }
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error(_token.Start, $"The expression is nested more than {MaxDepth} levels deep");
        }
    }

    private void Advance()
    {
        _token = PeekToken;
        _hasPeeked = false;
    }

    private bool Accept(TokenKind kind)
    {
        if (_token.Kind != kind)
        {
            return false;
        }
        Advance();
        return true;
    }

    private void ExpectAndAdvance(TokenKind kind, string what)
    {
        if (_token.Kind != kind)
        {
            throw Expected(what);
        }
        Advance();
    }

    private SqlParseException Expected(string what)
    {
        var found = _token.Kind == TokenKind.End ? "the end of the statement" : $"'{_source[_token.Start.._token.End]}'";
        return Error(_token.Start, $"Expected {what} but found {found}");
    }

    private SqlParseException Error(int offset, string reason) => new(SqlDiagnostic.At(_source, offset, reason));
}
