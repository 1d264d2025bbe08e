using System.Buffers;
using System.Runtime.CompilerServices;
using IoTRuleEmu.Sql.Ast;
using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Compilation;

/// <summary>Evaluates one compiled expression against the message being processed.</summary>
public delegate SqlValue SqlEvaluator(EvalContext context);

/// <summary>Evaluates a SELECT list and writes the output object straight into <paramref name="output"/>.</summary>
public delegate void DirectSelectWriter(EvalContext context, System.Buffers.IBufferWriter<byte> output);

/// <summary>
/// Compiles the AST into a tree of delegates once per statement, so that evaluating a message does no parsing,
/// no AST walking decisions and no reflection. Literal-only subtrees are folded to constants.
/// </summary>
internal sealed class SqlCompiler
{
    private readonly SqlVersion _version;
    private int _dynamoCalls;
    private int _protobufDecodes;

    public SqlCompiler(SqlVersion version) => _version = version;

    public SqlEvaluator Compile(SqlExpr expr) => expr switch
    {
        LiteralExpr l => Constant(l.Value),
        AttributeExpr a => CompileAttribute(a.Name),
        StarExpr => static ctx => ctx.Row,
        VariableExpr v => CompileVariable(v.Name),
        MemberExpr m => CompileMember(m),
        FunctionCallExpr f => CompileCall(f),
        CastExpr c => CompileCast(c),
        UnaryExpr u => CompileUnary(u),
        BinaryExpr b => CompileBinary(b),
        CaseExpr c => CompileCase(c),
        ObjectLiteralExpr o => CompileObjectLiteral(o),
        ArrayLiteralExpr a => CompileArrayLiteral(a),
        NestedQueryExpr n => CompileNestedQuery(n),
        _ => throw new InvalidOperationException($"No compilation for {expr.GetType().Name}"),
    };

    private static SqlEvaluator Constant(SqlValue value) => _ => value;

    private static SqlEvaluator CompileAttribute(string name) => ctx => ctx.Row.GetMember(name);

    private static SqlEvaluator CompileVariable(string name) => ctx => ctx.GetVariable(name);

    private SqlEvaluator CompileMember(MemberExpr m)
    {
        var name = m.Name;
        // a.b.c on the row: one delegate walking the path instead of one per segment.
        if (TryGetRowPath(m, out var path))
        {
            return ctx =>
            {
                var v = ctx.Row;
                foreach (var segment in path)
                {
                    v = v.GetMember(segment);
                    if (v.IsUndefined)
                    {
                        break;
                    }
                }
                return v;
            };
        }
        var target = Compile(m.Target);
        return ctx => target(ctx).GetMember(name);
    }

    private static bool TryGetRowPath(MemberExpr m, out string[] path)
    {
        var segments = new List<string>();
        SqlExpr e = m;
        while (e is MemberExpr member)
        {
            segments.Add(member.Name);
            e = member.Target;
        }
        if (e is AttributeExpr root)
        {
            segments.Add(root.Name);
            segments.Reverse();
            path = [.. segments];
            return true;
        }
        path = [];
        return false;
    }

    private SqlEvaluator CompileCast(CastExpr c)
    {
        var value = Compile(c.Value);
        var typeName = c.TypeName;
        var version = _version;
        return ctx => SqlCast.Cast(value(ctx), typeName, version);
    }

    private SqlEvaluator CompileCall(FunctionCallExpr f)
    {
        var def = f.Function;
        var name = def.Name;
        if (f.Arguments.Count < def.MinArgs || f.Arguments.Count > def.MaxArgs)
        {
            // Wrong arity is not a parse error in AWS IoT SQL: the call evaluates to Undefined.
            return Constant(SqlValue.Undefined);
        }
        var args = new SqlEvaluator[f.Arguments.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = f.Arguments[i] is StarExpr && def.Flags.HasFlag(SqlFunctionFlags.StarIsRawPayload)
                ? static ctx => ctx.RowIsPayload ? SqlValue.FromBinary(ctx.Message.Payload) : ctx.Row
                : Compile(f.Arguments[i]);
        }

        if (string.Equals(name, "get_dynamodb", StringComparison.OrdinalIgnoreCase) && ++_dynamoCalls > 1)
        {
            return ctx => ctx.Fail("get_dynamodb() can be called at most once per SQL statement; the rule ran no action");
        }
        if (string.Equals(name, "decode", StringComparison.OrdinalIgnoreCase) && f.Arguments.Count > 1
            && f.Arguments[1] is LiteralExpr { Value.Type: SqlType.String } scheme
            && string.Equals(scheme.Value.AsString, "proto", StringComparison.OrdinalIgnoreCase) && ++_protobufDecodes > 2)
        {
            return ctx => ctx.Fail("decode(..., 'proto', ...) can be called at most twice per SQL statement; the rule ran no action");
        }

        var body = def.Invoke;
        if (string.Equals(name, "get_or_default", StringComparison.OrdinalIgnoreCase))
        {
            return CompileGetOrDefault(args, body);
        }
        return args.Length switch
        {
            0 => ctx => body([], ctx),
            1 => ctx =>
            {
                var buffer = new ArgBuffer();
                buffer[0] = args[0](ctx);
                return body(((ReadOnlySpan<SqlValue>)buffer)[..1], ctx);
            },
            2 => ctx =>
            {
                var buffer = new ArgBuffer();
                buffer[0] = args[0](ctx);
                buffer[1] = args[1](ctx);
                return body(((ReadOnlySpan<SqlValue>)buffer)[..2], ctx);
            },
            <= ArgBuffer.Length => ctx =>
            {
                var buffer = new ArgBuffer();
                for (var i = 0; i < args.Length; i++)
                {
                    buffer[i] = args[i](ctx);
                }
                return body(((ReadOnlySpan<SqlValue>)buffer)[..args.Length], ctx);
            },
            _ => ctx =>
            {
                var values = new SqlValue[args.Length];
                for (var i = 0; i < args.Length; i++)
                {
                    values[i] = args[i](ctx);
                }
                return body(values, ctx);
            },
        };
    }

    /// <summary>get_or_default(expr[, default]): the default also replaces an expression whose evaluation failed.</summary>
    private static SqlEvaluator CompileGetOrDefault(SqlEvaluator[] args, SqlFunction body) => ctx =>
    {
        var failedBefore = ctx.Failed;
        var value = args[0](ctx);
        if (!failedBefore && ctx.Failed)
        {
            ctx.ClearFailure();
            value = SqlValue.Undefined;
        }
        var buffer = new ArgBuffer();
        buffer[0] = value;
        if (args.Length > 1)
        {
            buffer[1] = args[1](ctx);
        }
        return body(((ReadOnlySpan<SqlValue>)buffer)[..args.Length], ctx);
    };

    private SqlEvaluator CompileUnary(UnaryExpr u)
    {
        var operand = Compile(u.Operand);
        SqlEvaluator result = u.Operator switch
        {
            UnaryOperator.Negate => ctx => SqlOperators.Negate(operand(ctx)),
            UnaryOperator.Plus => ctx => SqlOperators.Plus(operand(ctx)),
            _ => ctx => SqlOperators.Not(operand(ctx)),
        };
        return u.Operand is LiteralExpr ? Constant(result(null!)) : result;
    }

    private SqlEvaluator CompileBinary(BinaryExpr b)
    {
        var left = Compile(b.Left);
        var right = Compile(b.Right);
        var version = _version;
        SqlEvaluator result = b.Operator switch
        {
            BinaryOperator.And => ctx => SqlOperators.And(left(ctx), right(ctx)),
            BinaryOperator.Or => ctx => SqlOperators.Or(left(ctx), right(ctx)),
            BinaryOperator.Equal => ctx => SqlOperators.Equal(left(ctx), right(ctx)),
            BinaryOperator.NotEqual => ctx => SqlOperators.NotEqual(left(ctx), right(ctx)),
            BinaryOperator.Less => ctx => CompareResult(SqlOperators.CompareNumbers(left(ctx), right(ctx)), static c => c < 0),
            BinaryOperator.LessOrEqual => ctx => CompareResult(SqlOperators.CompareNumbers(left(ctx), right(ctx)), static c => c <= 0),
            BinaryOperator.Greater => ctx => CompareResult(SqlOperators.CompareNumbers(left(ctx), right(ctx)), static c => c > 0),
            BinaryOperator.GreaterOrEqual => ctx => CompareResult(SqlOperators.CompareNumbers(left(ctx), right(ctx)), static c => c >= 0),
            BinaryOperator.In => ctx => SqlOperators.In(left(ctx), right(ctx)),
            BinaryOperator.Add => ctx => SqlOperators.Add(left(ctx), right(ctx), version),
            BinaryOperator.Subtract => ctx => SqlOperators.Subtract(left(ctx), right(ctx)),
            BinaryOperator.Multiply => ctx => SqlOperators.Multiply(left(ctx), right(ctx)),
            BinaryOperator.Divide => ctx => SqlOperators.Divide(left(ctx), right(ctx)),
            _ => ctx => SqlOperators.Modulo(left(ctx), right(ctx)),
        };
        return b.Left is LiteralExpr && b.Right is LiteralExpr ? Constant(result(null!)) : result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SqlValue CompareResult(int? comparison, Func<int, bool> test) =>
        comparison is null ? SqlValue.Undefined : SqlValue.FromBool(test(comparison.Value));

    private SqlEvaluator CompileCase(CaseExpr c)
    {
        var subject = Compile(c.Subject);
        var whens = c.Whens.Select(w => (When: Compile(w.When), Then: Compile(w.Then))).ToArray();
        var otherwise = c.Else is null ? null : Compile(c.Else);
        return ctx =>
        {
            var v = subject(ctx);
            if (v.IsUndefined)
            {
                return SqlValue.Undefined;
            }
            foreach (var (when, then) in whens)
            {
                var candidate = when(ctx);
                if (!candidate.IsUndefined && SqlEquality.AreEqual(v, candidate))
                {
                    return then(ctx);
                }
            }
            return otherwise is null ? SqlValue.Undefined : otherwise(ctx);
        };
    }

    private SqlEvaluator CompileObjectLiteral(ObjectLiteralExpr o)
    {
        var members = o.Members.Select(m => (m.Key, Value: Compile(m.Value))).ToArray();
        return ctx =>
        {
            var obj = new SqlObject(members.Length);
            foreach (var (key, value) in members)
            {
                var v = value(ctx);
                if (!v.IsUndefined)
                {
                    obj[key] = v;
                }
            }
            return SqlValue.FromObject(obj);
        };
    }

    private SqlEvaluator CompileArrayLiteral(ArrayLiteralExpr a)
    {
        var elements = a.Elements.Select(Compile).ToArray();
        return ctx =>
        {
            var array = new SqlArray(elements.Length);
            foreach (var element in elements)
            {
                var v = element(ctx);
                if (!v.IsUndefined)
                {
                    array.Add(v);
                }
            }
            return SqlValue.FromArray(array);
        };
    }

    /// <summary>
    /// (SELECT … FROM source [WHERE …]): over an array, one result per element whose WHERE holds (Undefined results
    /// dropped) → an array; <c>FROM *</c> → the row as a one-element array; over an object → the single result
    /// (iot-sql.md §1.9, see docs/fidelity.md).
    /// </summary>
    private SqlEvaluator CompileNestedQuery(NestedQueryExpr n)
    {
        var select = CompileSelect(n.Select);
        var where = n.Where is null ? null : Compile(n.Where);
        var fromStar = n.Source is StarExpr;
        var source = fromStar ? null : Compile(n.Source);

        SqlValue EvaluateRow(EvalContext ctx, SqlValue row)
        {
            ctx.Row = row;
            ctx.RowIsPayload = false;
            if (where is not null)
            {
                var w = where(ctx);
                if (w.Type != SqlType.Boolean || !w.AsBool)
                {
                    return SqlValue.Undefined;
                }
            }
            return select(ctx);
        }

        return ctx =>
        {
            var savedRow = ctx.Row;
            var savedIsPayload = ctx.RowIsPayload;
            try
            {
                var src = fromStar ? ctx.Row : source!(ctx);
                if (fromStar)
                {
                    var array = new SqlArray(1);
                    var r = EvaluateRow(ctx, src);
                    if (!r.IsUndefined)
                    {
                        array.Add(r);
                    }
                    return SqlValue.FromArray(array);
                }
                switch (src.Type)
                {
                    case SqlType.Array:
                        var results = new SqlArray(src.ArrayLength);
                        foreach (var element in src.Elements)
                        {
                            var r = EvaluateRow(ctx, element);
                            if (!r.IsUndefined)
                            {
                                results.Add(r);
                            }
                        }
                        return SqlValue.FromArray(results);
                    case SqlType.Object:
                        return EvaluateRow(ctx, src);
                    default:
                        return SqlValue.Undefined;
                }
            }
            finally
            {
                ctx.Row = savedRow;
                ctx.RowIsPayload = savedIsPayload;
            }
        };
    }

    /// <summary>
    /// Compiles a SELECT list into the value it produces for the current row: the VALUE expression, the row itself
    /// for a lone <c>*</c>, or an object built in SELECT order (Undefined items omitted, dotted aliases nested).
    /// </summary>
    public SqlEvaluator CompileSelect(SelectClause clause)
    {
        if (clause.Value is not null)
        {
            var value = Compile(clause.Value);
            if (_version.Is2016())
            {
                return value;
            }
            // 2015-10-08 cannot make a top-level array the output (see docs/fidelity.md).
            return ctx =>
            {
                var v = value(ctx);
                return v.Type == SqlType.Array && ctx.RowIsPayload ? SqlValue.Undefined : v;
            };
        }
        if (clause.Items.Count == 1 && clause.Items[0].IsStar)
        {
            return static ctx => ctx.Row;
        }
        var items = clause.Items.Select(i => new CompiledItem(i.IsStar ? null : Compile(i.Expression!), [.. i.KeyPath])).ToArray();
        var capacity = items.Length;
        return ctx =>
        {
            var output = new SqlObject(capacity);
            foreach (var item in items)
            {
                if (item.Value is null)
                {
                    var row = ctx.Row;
                    if (row.Type == SqlType.Object)
                    {
                        foreach (var member in row.Members)
                        {
                            output[member.Key] = member.Value;
                        }
                    }
                    else if (row.Type == SqlType.Binary)
                    {
                        // AWS: data can be added to an empty or a JSON payload only (iot-sql.md §5).
                        return ctx.Fail("ParseError: the payload is not JSON, so SELECT * cannot be combined with other items; use SELECT * alone or encode(*, 'base64')");
                    }
                    continue;
                }
                var v = item.Value(ctx);
                if (v.IsUndefined)
                {
                    continue;
                }
                SetPath(output, item.KeyPath, v);
            }
            return SqlValue.FromObject(output);
        };
    }

    /// <summary>
    /// For the common top-level SELECT list (no <c>*</c>, no dotted alias, distinct keys) a writer that puts each
    /// item straight into the output as JSON with pre-encoded keys, instead of building an object first.
    /// Null when the list needs the general path.
    /// </summary>
    public DirectSelectWriter? TryCompileDirectSelect(SelectClause clause)
    {
        if (clause.IsValue || clause.Items.Any(i => i.IsStar || i.KeyPath.Count != 1)
            || clause.Items.Select(i => i.KeyPath[0]).Distinct(StringComparer.Ordinal).Count() != clause.Items.Count)
        {
            return null;
        }
        var items = clause.Items.Select(i => (Value: Compile(i.Expression!), Key: EncodeKey(i.KeyPath[0]))).ToArray();
        var version = _version;
        return (ctx, output) =>
        {
            output.GetSpan(1)[0] = (byte)'{';
            output.Advance(1);
            var first = true;
            foreach (var (value, key) in items)
            {
                var v = value(ctx);
                if (v.IsUndefined)
                {
                    continue;
                }
                var prefix = first ? key.AsSpan(1) : key.AsSpan();
                first = false;
                output.Write(prefix);
                SqlJson.Write(output, v, version);
            }
            output.GetSpan(1)[0] = (byte)'}';
            output.Advance(1);
        };
    }

    /// <summary>",\"key\":" as UTF-8 (the leading comma is skipped for the first item written).</summary>
    private static byte[] EncodeKey(string key)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(key.Length + 4);
        buffer.GetSpan(1)[0] = (byte)',';
        buffer.Advance(1);
        SqlJson.WriteString(buffer, key);
        buffer.GetSpan(1)[0] = (byte)':';
        buffer.Advance(1);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Puts <paramref name="value"/> at a (possibly dotted) key path, creating or merging nested objects.</summary>
    private static void SetPath(SqlObject output, string[] path, SqlValue value)
    {
        var target = output;
        for (var i = 0; i < path.Length - 1; i++)
        {
            var existing = target[path[i]];
            SqlObject next;
            if (existing.MaterializedObject is { } materialized)
            {
                next = materialized;
            }
            else if (existing.Type == SqlType.Object)
            {
                next = existing.ToSqlObject();
                target[path[i]] = SqlValue.FromObject(next);
            }
            else
            {
                next = new SqlObject(2);
                target[path[i]] = SqlValue.FromObject(next);
            }
            target = next;
        }
        target[path[^1]] = value;
    }

    private sealed record CompiledItem(SqlEvaluator? Value, string[] KeyPath);

    [InlineArray(Length)]
    private struct ArgBuffer
    {
        public const int Length = 6;
        private SqlValue _element;
    }
}
