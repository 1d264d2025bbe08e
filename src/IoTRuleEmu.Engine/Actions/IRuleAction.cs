using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Engine.Actions;

/// <summary>
/// One configured action of a compiled rule (immutable, shared by every message). The engine calls
/// <see cref="ExecuteAsync"/> once per (rule, message) whose SQL matched, with the SQL result as payload; for the
/// error action, with the error document.
/// </summary>
/// <remarks>
/// Render every substitution template through <see cref="ActionContext.Render"/> <b>before the first await</b>: the
/// message's <see cref="EvalContext"/> is shared by the rule's actions and is not thread-safe, so the engine runs each
/// action synchronously up to its first await and then seals the context (rendering afterwards throws).
/// Return a failure result for failures that belong in the error action; exceptions are caught and treated the same way.
/// </remarks>
public interface IRuleAction
{
    /// <summary>The Action union member, e.g. <c>lambda</c>.</summary>
    string ActionKey { get; }

    /// <summary>False for action types the emulator loads but does not run (skipped, logged on each use).</summary>
    bool IsEmulated => true;

    ValueTask<ActionResult> ExecuteAsync(ActionContext context, CancellationToken cancellationToken);
}

/// <summary>Creates <see cref="IRuleAction"/>s for one action key from the rule's configuration. Register with <c>TryAddEnumerable</c>.</summary>
public interface IRuleActionFactory
{
    /// <summary>The Action union member this factory handles, e.g. <c>republish</c>.</summary>
    string ActionKey { get; }

    /// <summary>
    /// Validates <paramref name="config"/> and builds the action. Report problems through
    /// <see cref="ActionCreateContext.AddError"/> (naming the field) and return null when the action cannot be built.
    /// </summary>
    IRuleAction? Create(RuleActionConfig config, ActionCreateContext context);
}

/// <summary>What a factory knows while building an action.</summary>
public sealed class ActionCreateContext
{
    private readonly List<RuleConfigError> _errors;

    public ActionCreateContext(string ruleName, SqlVersion sqlVersion, bool isErrorAction, string source, List<RuleConfigError> errors)
    {
        RuleName = ruleName;
        SqlVersion = sqlVersion;
        IsErrorAction = isErrorAction;
        Source = source;
        _errors = errors;
    }

    public string RuleName { get; }

    /// <summary>The rule's SQL version: substitution templates are parsed with it.</summary>
    public SqlVersion SqlVersion { get; }

    public bool IsErrorAction { get; }

    /// <summary>Where the rule came from (file path), for error messages.</summary>
    public string Source { get; }

    /// <summary>Reports a problem with the field at <paramref name="path"/> (e.g. <c>actions[0].lambda.functionArn</c>).</summary>
    public void AddError(string path, string message, int? line = null, int? column = null) =>
        _errors.Add(new RuleConfigError(Source, path, line, column, message));
}
