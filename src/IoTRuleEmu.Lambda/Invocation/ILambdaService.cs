namespace IoTRuleEmu.Lambda.Invocation;

/// <summary>The Lambda Invoke API. Event invocations are accepted (202, an <c>Invoke</c> CloudTrail record) and run from the async queue.</summary>
public interface ILambdaService
{
    ValueTask<InvokeResult> InvokeAsync(InvokeRequest request, CancellationToken cancellationToken = default);
}
