namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>One AWS service's operations. The dispatcher picks the handler; the handler picks the operation.</summary>
public interface IAwsServiceHandler
{
    AwsServiceKind Service { get; }

    /// <summary>Answers <paramref name="request"/>; false when no operation of the service matches it (→ UnknownOperationException).</summary>
    ValueTask<bool> HandleAsync(AwsRequest request);
}
