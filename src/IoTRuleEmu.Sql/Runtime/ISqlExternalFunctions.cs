namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// The functions that need the cloud (<c>aws_lambda</c>, <c>get_dynamodb</c>, <c>get_thing_shadow</c>, <c>get_secret</c>,
/// <c>get_registry_data</c>, <c>machinelearning_predict</c>, protobuf <c>decode</c>). The host implements them;
/// the SQL library only calls this interface.
/// </summary>
public interface ISqlExternalFunctions
{
    /// <summary>
    /// Runs external function <paramref name="name"/> (lower-case) with already-evaluated arguments.
    /// Returns the result, or an error that fails the evaluation (the rule then runs no action).
    /// </summary>
    SqlExternalResult Invoke(string name, ReadOnlySpan<SqlValue> args, EvalContext context);
}

/// <summary>The outcome of an external function call: a value, or an error message.</summary>
public readonly record struct SqlExternalResult(SqlValue Value, string? Error)
{
    public static SqlExternalResult Success(SqlValue value) => new(value, null);
    public static SqlExternalResult Failure(string error) => new(SqlValue.Undefined, error);
}
