using System.Globalization;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Runners;

/// <summary>The environment variables Lambda gives a function's process (lambda-async.md §6), plus the function's own.</summary>
public static class LambdaEnvironment
{
    /// <summary>
    /// Lambda's reserved variables for <paramref name="definition"/>, then the definition's <c>environment</c>.
    /// Credentials are passed through from the emulator's own environment when set.
    /// </summary>
    public static Dictionary<string, string> Build(FunctionDefinition definition, string region, string? handler = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_FUNCTION_NAME"] = definition.Name,
            ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = definition.MemorySize.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_FUNCTION_TIMEOUT"] = definition.TimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + definition.Name,
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = "$LATEST",
            ["AWS_REGION"] = region,
            ["AWS_DEFAULT_REGION"] = region,
            ["AWS_EXECUTION_ENV"] = "AWS_Lambda_IoTRuleEmu",
            ["LAMBDA_TASK_ROOT"] = Directory.GetCurrentDirectory(),
            ["LAMBDA_RUNTIME_DIR"] = Directory.GetCurrentDirectory(),
            ["TZ"] = ":UTC",
        };
        if (handler is not null)
        {
            env["_HANDLER"] = handler;
        }
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                env[name] = value;
            }
        }
        if (definition.Environment is { } own)
        {
            foreach (var (name, value) in own)
            {
                env[name] = value;
            }
        }
        return env;
    }
}
