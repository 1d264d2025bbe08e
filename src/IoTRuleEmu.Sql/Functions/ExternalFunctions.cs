using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// The functions that need the cloud: their bodies only hand the evaluated arguments to the host's
/// <see cref="ISqlExternalFunctions"/>. A failure (no host implementation, or an error result) fails the evaluation:
/// the rule runs no action and no error action.
/// </summary>
internal static class ExternalFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;
    private const SqlFunctionFlags External = SqlFunctionFlags.External;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("aws_lambda", 2, 2, V2015, static (a, c) => Call("aws_lambda", a, c), External);
        // get_dynamodb(table, pkName, pkValue, roleArn) or (table, pkName, pkValue, skName, skValue, roleArn).
        t.Add("get_dynamodb", 4, 6, V2016, static (a, c) => a.Length == 5 ? SqlValue.Undefined : Call("get_dynamodb", a, c), External);
        // get_secret(secretId, secretType, roleArn) or (secretId, secretType, key, roleArn).
        t.Add("get_secret", 3, 4, V2015, static (a, c) => Call("get_secret", a, c), External);
        // get_thing_shadow(thingName, roleArn) or (thingName, shadowName, roleArn).
        t.Add("get_thing_shadow", 2, 3, V2016, static (a, c) => Call("get_thing_shadow", a, c), External);
        t.Add("get_registry_data", 3, 3, V2016, static (a, c) => Call("get_registry_data", a, c), External);
        t.Add("machinelearning_predict", 3, 3, V2015, static (a, c) => Call("machinelearning_predict", a, c), External);
    }

    /// <summary>Runs external function <paramref name="name"/> through the host, failing the evaluation on error.</summary>
    internal static SqlValue Call(string name, ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (context.External is not { } external)
        {
            return context.Fail($"{name}: cannot call an external function: no implementation of external functions is configured for this evaluation.");
        }
        var result = external.Invoke(name, args, context);
        return result.Error is { } error ? context.Fail(error) : result.Value;
    }
}
