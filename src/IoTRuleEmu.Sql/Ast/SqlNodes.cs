using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Ast;

/// <summary>Every AST node knows where it came from (character offsets into the statement).</summary>
public abstract record SqlNode(int Start, int End);

/// <summary>An expression: anything SELECT, WHERE, SET, CASE or a template can compute.</summary>
public abstract record SqlExpr(int Start, int End) : SqlNode(Start, End);

/// <summary>A number, string, TRUE, FALSE or NULL.</summary>
public sealed record LiteralExpr(SqlValue Value, int Start, int End) : SqlExpr(Start, End);

/// <summary>An attribute of the current row (the payload, or the element of a nested query).</summary>
public sealed record AttributeExpr(string Name, int Start, int End) : SqlExpr(Start, End);

/// <summary><c>*</c>: the current row (the whole payload at top level).</summary>
public sealed record StarExpr(int Start, int End) : SqlExpr(Start, End);

/// <summary><c>@name</c>: a SET variable.</summary>
public sealed record VariableExpr(string Name, int Start, int End) : SqlExpr(Start, End);

/// <summary><c>target.name</c>.</summary>
public sealed record MemberExpr(SqlExpr Target, string Name, int Start, int End) : SqlExpr(Start, End);

/// <summary>A call of a registered function (the name as written is kept for output keys).</summary>
public sealed record FunctionCallExpr(string Name, SqlFunctionDefinition Function, IReadOnlyList<SqlExpr> Arguments, int Start, int End) : SqlExpr(Start, End);

/// <summary><c>cast(value AS type)</c>.</summary>
public sealed record CastExpr(SqlExpr Value, string TypeName, int Start, int End) : SqlExpr(Start, End);

public enum UnaryOperator : byte { Negate, Plus, Not }

public sealed record UnaryExpr(UnaryOperator Operator, SqlExpr Operand, int Start, int End) : SqlExpr(Start, End);

public enum BinaryOperator : byte { Or, And, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In, Add, Subtract, Multiply, Divide, Modulo }

public sealed record BinaryExpr(BinaryOperator Operator, SqlExpr Left, SqlExpr Right, int Start, int End) : SqlExpr(Start, End);

/// <summary>Simple CASE: <c>CASE v WHEN t THEN r … [ELSE e] END</c>.</summary>
public sealed record CaseExpr(SqlExpr Subject, IReadOnlyList<CaseWhen> Whens, SqlExpr? Else, int Start, int End) : SqlExpr(Start, End);

public sealed record CaseWhen(SqlExpr When, SqlExpr Then);

/// <summary><c>{'key': expr, …}</c> (2016-03-23).</summary>
public sealed record ObjectLiteralExpr(IReadOnlyList<KeyValuePair<string, SqlExpr>> Members, int Start, int End) : SqlExpr(Start, End);

/// <summary><c>[expr, …]</c> (2016-03-23).</summary>
public sealed record ArrayLiteralExpr(IReadOnlyList<SqlExpr> Elements, int Start, int End) : SqlExpr(Start, End);

/// <summary><c>(SELECT … FROM source [WHERE …])</c> over an attribute of the current row, or <c>FROM *</c>.</summary>
public sealed record NestedQueryExpr(SelectClause Select, SqlExpr Source, SqlExpr? Where, int Start, int End) : SqlExpr(Start, End);

/// <summary>The SELECT list, or <c>SELECT VALUE expr</c>.</summary>
public sealed record SelectClause(SqlExpr? Value, IReadOnlyList<SelectItem> Items, int Start, int End) : SqlNode(Start, End)
{
    public bool IsValue => Value is not null;
}

/// <summary>
/// One item of a SELECT list. <see cref="Expression"/> is null for a bare <c>*</c> (which merges the row's attributes).
/// <see cref="KeyPath"/> is where the value goes in the output: the alias (dotted aliases build nested objects) or a
/// name derived from the expression.
/// </summary>
public sealed record SelectItem(SqlExpr? Expression, IReadOnlyList<string> KeyPath, bool HasAlias, int Start, int End) : SqlNode(Start, End)
{
    public bool IsStar => Expression is null;
}

/// <summary><c>SET @name = expr</c>.</summary>
public sealed record SetAssignment(string Name, SqlExpr Value, int Start, int End) : SqlNode(Start, End);

/// <summary>A whole rule statement.</summary>
public sealed record SqlStatementSyntax(
    IReadOnlyList<SetAssignment> Assignments,
    SelectClause Select,
    string? TopicFilter,
    SqlExpr? Where,
    int Start,
    int End) : SqlNode(Start, End);
