using IoTRuleEmu.Lambda.Configuration;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>What a built-in function does when it runs (functions file <c>behavior</c>).</summary>
public enum FunctionBehavior : byte
{
    /// <summary>Returns <see cref="FunctionDefinition.Response"/> (default <c>null</c>).</summary>
    Succeed,
    /// <summary>Every attempt ends in an unhandled function error with <see cref="FunctionDefinition.ErrorMessage"/>.</summary>
    Fail,
    /// <summary>Attempts 1..<see cref="FunctionDefinition.FailTimes"/> of an invocation fail, later ones succeed.</summary>
    FailTimes,
    /// <summary>Sleeps <see cref="FunctionDefinition.SleepSeconds"/> on the emulator's clock, then succeeds (timeout tests).</summary>
    Sleep,
}

/// <summary>How a function's code runs: exactly one per function.</summary>
public enum FunctionRunKind : byte
{
    /// <summary>A built-in <see cref="FunctionBehavior"/>.</summary>
    Behavior,
    /// <summary>POST the event to a URL (<see cref="FunctionDefinition.Http"/>).</summary>
    Http,
    /// <summary>Run a process with the event on stdin (<see cref="FunctionDefinition.Command"/>).</summary>
    Command,
    /// <summary>A RequestResponse call to a Lambda Invoke API per attempt (<see cref="FunctionDefinition.InvokeEndpoint"/>).</summary>
    InvokeEndpoint,
    /// <summary>The emulator serves the Lambda Runtime API to the function's bootstrap process (<see cref="FunctionDefinition.RuntimeApi"/>).</summary>
    RuntimeApi,
    /// <summary>Not emulated: Invoke is forwarded to a real Lambda service (<see cref="FunctionDefinition.Remote"/>).</summary>
    Remote,
}

/// <summary>One entry of the functions file, as written (configuration, immutable). Every member but <see cref="Name"/> is optional.</summary>
public sealed record FunctionDefinition
{
    /// <summary>Default <see cref="TimeoutSeconds"/>: 3, as AWS.</summary>
    public const int DefaultTimeoutSeconds = 3;

    public required string Name { get; init; }

    public FunctionBehavior Behavior { get; init; } = FunctionBehavior.Succeed;

    /// <summary>The error message of a failing built-in function. Defaults to "Function failed".</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The error type of a failing built-in function. Defaults to "Error".</summary>
    public string? ErrorType { get; init; }

    /// <summary>The JSON a succeeding built-in function returns (raw JSON text). Null: <c>null</c>.</summary>
    public string? Response { get; init; }

    /// <summary><see cref="FunctionBehavior.FailTimes"/>: how many attempts of each invocation fail before one succeeds.</summary>
    public int FailTimes { get; init; }

    /// <summary><see cref="FunctionBehavior.Sleep"/>: seconds to sleep (on the emulator's clock) before succeeding.</summary>
    public double SleepSeconds { get; init; }

    /// <summary>
    /// True (the default): rules may invoke the function without a resource-policy statement. False (functions file
    /// <c>"allowIoT": false</c>, or templates): the rules engine needs an <c>add-permission</c> statement
    /// (<see cref="Permissions.IFunctionPolicy"/>), else Invoke fails with 403 AccessDeniedException.
    /// </summary>
    public bool AllowIoT { get; init; } = true;

    /// <summary>Seconds an attempt may run (1–900). Defaults to 3. An overrun is <c>Task timed out after N.00 seconds</c>.</summary>
    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    /// <summary>AWS_LAMBDA_FUNCTION_MEMORY_SIZE for command/runtimeApi functions. Defaults to 128.</summary>
    public int MemorySize { get; init; } = 128;

    /// <summary>Reserved concurrency: null = unreserved; 0 = every event fails at once (ZeroReservedConcurrency); N = at most N attempts at once.</summary>
    public int? ReservedConcurrency { get; init; }

    /// <summary>Environment variables for command and runtimeApi functions (in addition to Lambda's own).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public HttpFunctionSpec? Http { get; init; }

    public CommandFunctionSpec? Command { get; init; }

    public InvokeEndpointSpec? InvokeEndpoint { get; init; }

    public RuntimeApiSpec? RuntimeApi { get; init; }

    public RemoteFunctionSpec? Remote { get; init; }

    /// <summary>The function's EventInvokeConfig for <c>$LATEST</c> (retries, event age, destinations), as the file sets it.</summary>
    public EventInvokeSettings? EventInvokeConfig { get; init; }

    /// <summary>DeadLetterConfig.TargetArn: an SQS queue or SNS topic ARN.</summary>
    public string? DeadLetterTargetArn { get; init; }

    /// <summary>How the function runs, from which of the run specs is set.</summary>
    public FunctionRunKind RunKind =>
        Http is not null ? FunctionRunKind.Http
        : Command is not null ? FunctionRunKind.Command
        : InvokeEndpoint is not null ? FunctionRunKind.InvokeEndpoint
        : RuntimeApi is not null ? FunctionRunKind.RuntimeApi
        : Remote is not null ? FunctionRunKind.Remote
        : FunctionRunKind.Behavior;

    /// <summary>Short description for logs: <c>fail</c>, <c>http http://…</c>, …</summary>
    public string Describe() => RunKind switch
    {
        FunctionRunKind.Http => "http " + Http!.Url,
        FunctionRunKind.Command => "command " + Command!.Path,
        FunctionRunKind.InvokeEndpoint => "invokeEndpoint " + InvokeEndpoint!.Url,
        FunctionRunKind.RuntimeApi => "runtimeApi " + RuntimeApi!.Bootstrap,
        FunctionRunKind.Remote => "remote " + Remote!.Endpoint,
        _ => Behavior switch
        {
            FunctionBehavior.Fail => "fail",
            FunctionBehavior.FailTimes => "failTimes " + FailTimes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            FunctionBehavior.Sleep => "sleep " + SleepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "succeed",
        },
    };
}

/// <summary><c>"http": {"url", "headers"}</c>: each attempt POSTs the event to <see cref="Url"/>.</summary>
public sealed record HttpFunctionSpec(string Url, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary><c>"command": {"path", "args", "workingDirectory"}</c>: each attempt runs the process with the event on stdin.</summary>
public sealed record CommandFunctionSpec(string Path, IReadOnlyList<string> Args, string? WorkingDirectory = null);

/// <summary><c>"invokeEndpoint": {"url", "functionName"}</c>: a Lambda Invoke API (SAM local start-lambda, RIE, LocalStack).</summary>
/// <param name="Url">Base URL, e.g. <c>http://127.0.0.1:3001</c>; the Invoke path is appended.</param>
/// <param name="FunctionName">The name to invoke there (RIE: <c>function</c>). Defaults to the function's own name.</param>
public sealed record InvokeEndpointSpec(string Url, string? FunctionName = null);

/// <summary><c>"runtimeApi": {"bootstrap", "args", "workingDirectory", "handler"}</c>: a custom runtime or runtime interface client.</summary>
public sealed record RuntimeApiSpec(string Bootstrap, IReadOnlyList<string> Args, string? WorkingDirectory = null, string? Handler = null);

/// <summary><c>"remote": {"endpoint", "region", "functionName"}</c>: a real Lambda service that owns the function.</summary>
public sealed record RemoteFunctionSpec(string Endpoint, string Region, string? FunctionName = null);

/// <summary>A function that exists: its definition, ARN and the runner that executes it.</summary>
public sealed record LambdaFunction(FunctionDefinition Definition, string Arn, IFunctionRunner Runner)
{
    public string Name => Definition.Name;

    /// <summary>The <c>$LATEST</c> version ARN (CloudTrail <c>additionalEventData.functionVersion</c>).</summary>
    public string LatestVersionArn => Arn + ":$LATEST";
}
