using System.Buffers;
using IoTRuleEmu.Sql.Ast;
using IoTRuleEmu.Sql.Compilation;
using IoTRuleEmu.Sql.Parsing;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql;

/// <summary>What evaluating a statement against a message came to.</summary>
public enum SqlOutcome : byte
{
    /// <summary>WHERE held: <see cref="SqlResult.Payload"/> is the output the actions receive.</summary>
    Matched,
    /// <summary>The topic filter or WHERE did not match (WHERE false, Undefined or not a Boolean): no action runs.</summary>
    NotMatched,
    /// <summary>The evaluation failed (an external function failed, a non-JSON payload where JSON was needed): no action, no error action.</summary>
    Failed,
}

/// <summary>The result of one evaluation: the outcome, the exact output bytes, and the failure reason.</summary>
public readonly record struct SqlResult(SqlOutcome Outcome, byte[]? Payload, string? Error)
{
    public bool IsMatch => Outcome == SqlOutcome.Matched;

    public static readonly SqlResult NoMatch = new(SqlOutcome.NotMatched, null, null);
}

/// <summary>
/// A rule's SQL, parsed once and compiled to delegates. Immutable and thread-safe: evaluate it from any number of
/// workers, each with its own <see cref="EvalContext"/>.
/// </summary>
public sealed class SqlStatement
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly (string Name, SqlEvaluator Value)[] _assignments;
    private readonly SqlEvaluator? _where;
    private readonly SqlEvaluator _select;
    private readonly DirectSelectWriter? _directSelect;

    // SELECT * alone makes the output the payload, which may then pass through unparsed. Where it is decided is fixed
    // by the statement: before anything else when nothing else reads the payload (so it is not even parsed; a
    // substitution template will parse it if it needs to), otherwise after WHERE has matched.
    private readonly bool _passThroughFirst;
    private readonly bool _passThroughAfterWhere;

    private SqlStatement(string sql, SqlVersion version, SqlStatementSyntax syntax)
    {
        Sql = sql;
        Version = version;
        Syntax = syntax;
        TopicFilter = syntax.TopicFilter;
        var compiler = new SqlCompiler(version);
        _assignments = [.. syntax.Assignments.Select(a => (a.Name, compiler.Compile(a.Value)))];
        _where = syntax.Where is null ? null : compiler.Compile(syntax.Where);
        _select = compiler.CompileSelect(syntax.Select);
        _directSelect = compiler.TryCompileDirectSelect(syntax.Select);
        var selectsPayload = syntax.Select is { IsValue: false, Items: [{ IsStar: true }] };
        var readsPayload = _assignments.Length > 0 || _where is not null;
        _passThroughFirst = selectsPayload && !readsPayload;
        _passThroughAfterWhere = selectsPayload && readsPayload;
    }

    /// <summary>Parses and compiles <paramref name="sql"/>; throws <see cref="Diagnostics.SqlParseException"/> with the position of the first error.</summary>
    public static SqlStatement Compile(string sql, SqlVersion version = SqlVersion.V2015_10_08) =>
        new(sql, version, SqlParser.ParseStatement(sql, version));

    public string Sql { get; }

    public SqlVersion Version { get; }

    /// <summary>The AST, with source positions.</summary>
    public SqlStatementSyntax Syntax { get; }

    /// <summary>The FROM topic filter; null when the statement has no FROM (a Basic Ingest-only rule).</summary>
    public string? TopicFilter { get; }

    /// <summary>True when the statement's FROM filter matches <paramref name="topic"/> (false without a FROM).</summary>
    public bool MatchesTopic(string topic) => TopicFilter is not null && IoTRuleEmu.Sql.TopicFilter.Matches(TopicFilter, topic);

    /// <summary>
    /// Checks the topic filter (when there is a FROM), then evaluates. Convenience for one-off evaluations such as
    /// <c>eval</c>; the rules engine matches topics through its own index and calls <see cref="Evaluate(EvalContext)"/>.
    /// </summary>
    public SqlResult Evaluate(SqlMessage message, ISqlExternalFunctions? external = null)
    {
        if (TopicFilter is not null && !MatchesTopic(message.Topic))
        {
            return SqlResult.NoMatch;
        }
        using var context = new EvalContext(message, external);
        return Evaluate(context);
    }

    /// <summary>
    /// Runs SET, then WHERE, then SELECT against <paramref name="context"/>'s message (no topic check). Never throws
    /// for bad data: type mismatches are Undefined, and failures of external functions come back as
    /// <see cref="SqlOutcome.Failed"/>. SET variables stay in the context for the action templates.
    /// </summary>
    public SqlResult Evaluate(EvalContext context)
    {
        context.Version = Version;
        if (_passThroughFirst && PassesThrough(context))
        {
            return new SqlResult(SqlOutcome.Matched, context.Message.Payload.ToArray(), null);
        }
        context.Row = context.Payload;
        context.RowIsPayload = true;
        foreach (var (name, value) in _assignments)
        {
            context.SetVariable(name, value(context));
        }
        if (_where is not null)
        {
            var condition = _where(context);
            if (context.Failed)
            {
                return new SqlResult(SqlOutcome.Failed, null, context.FailureMessage);
            }
            if (condition.Type != SqlType.Boolean || !condition.AsBool)
            {
                return SqlResult.NoMatch;
            }
        }
        if (_directSelect is not null)
        {
            var buffer = RentBuffer();
            _directSelect(context, buffer);
            return context.Failed
                ? new SqlResult(SqlOutcome.Failed, null, context.FailureMessage)
                : new SqlResult(SqlOutcome.Matched, ReturnBuffer(buffer), null);
        }
        if (_passThroughAfterWhere && PassesThrough(context))
        {
            return new SqlResult(SqlOutcome.Matched, context.Message.Payload.ToArray(), null);
        }
        var output = _select(context);
        if (context.Failed)
        {
            return new SqlResult(SqlOutcome.Failed, null, context.FailureMessage);
        }
        return new SqlResult(SqlOutcome.Matched, Serialize(output), null);
    }

    /// <summary>The output of <c>SELECT *</c> is the payload as it came when writing it again would give the same bytes.</summary>
    private bool PassesThrough(EvalContext context) => CanonicalJson.IsCanonicalObject(context.Message.Payload.Span, Version);

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Copies the output out of the per-thread buffer (and drops a buffer that grew huge).</summary>
    private static byte[] ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null;
        }
        return bytes;
    }

    private byte[] Serialize(SqlValue output)
    {
        if (output.Type == SqlType.Binary)
        {
            return output.AsBinary.ToArray();
        }
        var buffer = RentBuffer();
        SqlJson.WritePayload(buffer, output, Version);
        return ReturnBuffer(buffer);
    }

    public override string ToString() => Sql;
}
