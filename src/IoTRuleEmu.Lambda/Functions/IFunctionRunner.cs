namespace IoTRuleEmu.Lambda.Functions;

/// <summary>
/// Runs one execution attempt of a function. Today: <see cref="BehaviorFunctionRunner"/> (succeed/fail from the functions
/// file). The seam for later ways to run a function (HTTP endpoint, command, Lambda Runtime API) and for timeouts.
/// </summary>
public interface IFunctionRunner
{
    ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>Creates the runner for a function definition. Replace it in DI to run functions some other way.</summary>
public interface IFunctionRunnerFactory
{
    IFunctionRunner Create(FunctionDefinition definition);
}

/// <summary>One execution attempt as the runner sees it.</summary>
/// <param name="RequestId">The invocation's request id: the same on every attempt.</param>
/// <param name="Attempt">1-based attempt number.</param>
/// <param name="Event">The event payload (JSON bytes as received by Invoke).</param>
public sealed record FunctionInvocation(string RequestId, LambdaFunction Function, int Attempt, ReadOnlyMemory<byte> Event, DateTimeOffset StartedAt);

/// <summary>The outcome of one attempt: a result payload, or a function error (<c>X-Amz-Function-Error: Unhandled</c>).</summary>
public sealed record FunctionResult(bool Succeeded, ReadOnlyMemory<byte> Payload, string? ErrorType, string? ErrorMessage)
{
    private static readonly byte[] s_null = "null"u8.ToArray();

    public static FunctionResult Success(ReadOnlyMemory<byte> payload) => new(true, payload, null, null);

    public static FunctionResult Null { get; } = new(true, s_null, null, null);

    public static FunctionResult Unhandled(string errorMessage, string errorType = "Error") => new(false, default, errorType, errorMessage);
}

/// <summary>Runs a function the way its functions-file <c>behavior</c> says.</summary>
public sealed class BehaviorFunctionRunner(FunctionDefinition definition) : IFunctionRunner
{
    public const string DefaultErrorMessage = "Function failed";

    public ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken) =>
        ValueTask.FromResult(definition.Behavior == FunctionBehavior.Fail
            ? FunctionResult.Unhandled(definition.ErrorMessage ?? DefaultErrorMessage)
            : FunctionResult.Null);
}

/// <summary>The default factory: every function runs per its <c>behavior</c>.</summary>
public sealed class BehaviorFunctionRunnerFactory : IFunctionRunnerFactory
{
    public IFunctionRunner Create(FunctionDefinition definition) => new BehaviorFunctionRunner(definition);
}
