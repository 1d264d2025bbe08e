namespace IoTRuleEmu.Engine.Actions;

public enum ActionOutcome : byte
{
    Succeeded,
    /// <summary>The action failed: it goes into the error action's <c>failures</c>.</summary>
    Failed,
    /// <summary>The action type is not emulated: nothing was done, and it is not a failure.</summary>
    Skipped,
}

/// <summary>The result of running one action for one message.</summary>
/// <param name="FailedResource">The resource the action targeted (function ARN, topic …), for logs and <c>failedResource</c>.</param>
/// <param name="ErrorMessage">For <see cref="ActionOutcome.Failed"/>: the error action's <c>errorMessage</c>.</param>
public readonly record struct ActionResult(ActionOutcome Outcome, string? Resource = null, string? ErrorMessage = null)
{
    public static ActionResult Success(string? resource = null) => new(ActionOutcome.Succeeded, resource);

    public static ActionResult Failure(string? resource, string errorMessage) => new(ActionOutcome.Failed, resource, errorMessage);

    public static ActionResult Skip(string? resource = null) => new(ActionOutcome.Skipped, resource);
}

/// <summary>One entry of the error document's <c>failures</c>.</summary>
public sealed record ActionFailure(string FailedAction, string? FailedResource, string ErrorMessage);
