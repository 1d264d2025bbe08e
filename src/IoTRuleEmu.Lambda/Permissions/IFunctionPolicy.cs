namespace IoTRuleEmu.Lambda.Permissions;

/// <summary>
/// The functions' resource-based policies (<c>lambda add-permission</c>). Consulted for service callers of functions whose
/// definition does not already allow them (<see cref="Functions.FunctionDefinition.AllowIoT"/>).
/// </summary>
public interface IFunctionPolicy
{
    /// <summary>True when a resource-policy statement lets <paramref name="principal"/> invoke the function (sourceArn/sourceAccount matched as AWS does).</summary>
    bool AllowsInvoke(string functionName, string principal, string? sourceArn, string? sourceAccount);
}

/// <summary>The default policy store: no statements, so only functions that allow IoT by definition can be invoked by rules.</summary>
public sealed class EmptyFunctionPolicy : IFunctionPolicy
{
    public bool AllowsInvoke(string functionName, string principal, string? sourceArn, string? sourceAccount) => false;
}
