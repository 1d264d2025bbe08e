using System.Buffers;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>
/// Runs one execution attempt of a function: built-in behaviours (<see cref="BehaviorFunctionRunner"/>), HTTP, command,
/// Invoke endpoint or the Lambda Runtime API (see <see cref="FunctionRunnerFactory"/>). The caller enforces the timeout by
/// cancelling <c>cancellationToken</c>; a runner then stops the attempt (kills the process, drops the call).
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
/// <param name="Event">The event payload (JSON bytes as received by Invoke; empty = <c>{}</c>).</param>
public sealed record FunctionInvocation(string RequestId, LambdaFunction Function, int Attempt, ReadOnlyMemory<byte> Event, DateTimeOffset StartedAt)
{
    /// <summary>When the attempt times out (<c>Lambda-Runtime-Deadline-Ms</c>). Defaults to StartedAt + the function's timeout.</summary>
    public DateTimeOffset Deadline { get; init; } = StartedAt.AddSeconds(Function?.Definition.TimeoutSeconds ?? FunctionDefinition.DefaultTimeoutSeconds);

    /// <summary>The ARN the caller invoked (may carry a qualifier).</summary>
    public string? InvokedFunctionArn { get; init; }

    /// <summary>Unique per attempt (<c>Lambda-Runtime-Invocation-Id</c>), unlike <see cref="RequestId"/>.</summary>
    public string InvocationId { get => _invocationId ??= RandomGuid.NewString(); init => _invocationId = value; }

    /// <summary>The X-Ray trace header for this attempt.</summary>
    public string TraceId { get => _traceId ??= NewTraceHeader(); init => _traceId = value; }

    // Made on first use: only runners that pass them on (Runtime API, HTTP, command) need them.
    private string? _invocationId;
    private string? _traceId;

    private static string NewTraceHeader() =>
        "Root=1-" + RandomGuid.NewGuid().ToString("N")[..8] + "-" + RandomGuid.NewGuid().ToString("N")[..24] + ";Parent=" + RandomGuid.NewGuid().ToString("N")[..16] + ";Sampled=0";

    /// <summary>The event bytes the function receives (an empty Invoke body becomes <c>{}</c>).</summary>
    public ReadOnlyMemory<byte> EventOrEmptyObject => Event.IsEmpty ? "{}"u8.ToArray() : Event;
}

/// <summary>
/// The outcome of one attempt: a result payload, or a function error (<c>X-Amz-Function-Error: Unhandled</c>) whose
/// <see cref="Payload"/> is the error document <c>{errorMessage, errorType, requestId?, stackTrace}</c>.
/// </summary>
public sealed record FunctionResult(bool Succeeded, ReadOnlyMemory<byte> Payload, string? ErrorType, string? ErrorMessage)
{
    /// <summary>The error type of an attempt that overran its timeout.</summary>
    public const string TimeoutErrorType = "Sandbox.Timedout";

    private static readonly byte[] s_null = "null"u8.ToArray();

    public static FunctionResult Success(ReadOnlyMemory<byte> payload) => new(true, payload.IsEmpty ? s_null : payload, null, null);

    public static FunctionResult Null { get; } = new(true, s_null, null, null);

    /// <summary>A function error. <paramref name="payload"/>: the runtime's error document; default: one is built.</summary>
    public static FunctionResult Unhandled(string errorMessage, string errorType = "Error", ReadOnlyMemory<byte> payload = default, string? requestId = null) =>
        new(false, payload.IsEmpty ? ErrorDocument(errorMessage, errorType, requestId) : payload, errorType, errorMessage);

    /// <summary><c>Task timed out after 3.00 seconds</c>, as Lambda reports an attempt that overran.</summary>
    public static FunctionResult TimedOut(int timeoutSeconds, string requestId) =>
        Unhandled(TimeoutMessage(timeoutSeconds), TimeoutErrorType, requestId: requestId);

    public static string TimeoutMessage(int timeoutSeconds) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Task timed out after {timeoutSeconds:0.00} seconds");

    /// <summary>Reads a function error from a runtime's error body (<c>{"errorMessage","errorType",...}</c>), keeping the body.</summary>
    public static FunctionResult FromErrorBody(ReadOnlyMemory<byte> body, string? fallbackType, string fallbackMessage, string? requestId = null)
    {
        if (!body.IsEmpty)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var message = doc.RootElement.TryGetProperty("errorMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : fallbackMessage;
                    var type = doc.RootElement.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : fallbackType ?? "Error";
                    return new FunctionResult(false, body.ToArray(), type, message);
                }
            }
            catch (JsonException)
            {
            }
            var text = Encoding.UTF8.GetString(body.Span).Trim();
            if (text.Length > 0)
            {
                return Unhandled(text, fallbackType ?? "Error", requestId: requestId);
            }
        }
        return Unhandled(fallbackMessage, fallbackType ?? "Error", requestId: requestId);
    }

    /// <summary><c>{"errorMessage":…,"errorType":…,"requestId":…,"stackTrace":[]}</c></summary>
    public static byte[] ErrorDocument(string errorMessage, string errorType, string? requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("errorMessage", errorMessage);
            w.WriteString("errorType", errorType);
            if (requestId is not null)
            {
                w.WriteString("requestId", requestId);
            }
            w.WriteStartArray("stackTrace");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Runs a function the way its functions-file <c>behavior</c> says. Sleeps on the given clock.</summary>
public sealed class BehaviorFunctionRunner(FunctionDefinition definition, TimeProvider? timeProvider = null) : IFunctionRunner
{
    public const string DefaultErrorMessage = "Function failed";

    private readonly byte[]? _response = definition.Response is null ? null : Encoding.UTF8.GetBytes(definition.Response);

    public async ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        switch (definition.Behavior)
        {
            case FunctionBehavior.Fail:
                return Fail(invocation);
            case FunctionBehavior.FailTimes when invocation.Attempt <= definition.FailTimes:
                return Fail(invocation);
            case FunctionBehavior.Sleep:
                await Task.Delay(TimeSpan.FromSeconds(definition.SleepSeconds), timeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
                break;
        }
        return _response is null ? FunctionResult.Null : FunctionResult.Success(_response);
    }

    private FunctionResult Fail(FunctionInvocation invocation) =>
        FunctionResult.Unhandled(definition.ErrorMessage ?? DefaultErrorMessage, definition.ErrorType ?? "Error", requestId: invocation.RequestId);
}

/// <summary>Every function runs per its built-in <c>behavior</c>, whatever else it declares (kept for tests and tools).</summary>
public sealed class BehaviorFunctionRunnerFactory : IFunctionRunnerFactory
{
    public IFunctionRunner Create(FunctionDefinition definition) => new BehaviorFunctionRunner(definition);
}
