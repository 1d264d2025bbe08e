namespace IoTRuleEmu.Lambda.Functions;

/// <summary>What a function does when it runs (functions file <c>behavior</c>).</summary>
public enum FunctionBehavior : byte
{
    /// <summary>Returns <c>null</c>.</summary>
    Succeed,
    /// <summary>Every attempt ends in an unhandled function error with <see cref="FunctionDefinition.ErrorMessage"/>.</summary>
    Fail,
}

/// <summary>One entry of the functions file, as written (configuration, immutable).</summary>
public sealed record FunctionDefinition
{
    public required string Name { get; init; }

    public FunctionBehavior Behavior { get; init; } = FunctionBehavior.Succeed;

    /// <summary>The error message of a failing function. Defaults to "Function failed".</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>
    /// True (the default, and always for the functions file): rules may invoke the function without a resource-policy
    /// statement. False (e.g. functions from templates): the rules engine needs an <c>add-permission</c> statement
    /// (<see cref="Permissions.IFunctionPolicy"/>), else Invoke fails with 403 AccessDeniedException.
    /// </summary>
    public bool AllowIoT { get; init; } = true;
}

/// <summary>A function that exists: its definition, ARN and the runner that executes it.</summary>
public sealed record LambdaFunction(FunctionDefinition Definition, string Arn, IFunctionRunner Runner)
{
    public string Name => Definition.Name;

    /// <summary>The <c>$LATEST</c> version ARN (CloudTrail <c>additionalEventData.functionVersion</c>).</summary>
    public string LatestVersionArn => Arn + ":$LATEST";
}
