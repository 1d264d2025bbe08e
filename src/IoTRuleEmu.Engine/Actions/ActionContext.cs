using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Sql.Runtime;
using IoTRuleEmu.Sql.Templates;

namespace IoTRuleEmu.Engine.Actions;

/// <summary>
/// Everything an action sees for one (rule, message): the rule, the inbound message, the payload to deliver (the SQL
/// result, or the error document for the error action) and the message's evaluation context for substitution templates.
/// </summary>
public sealed class ActionContext
{
    private readonly EvalContext _eval;
    private bool _sealed;

    public ActionContext(CompiledRule rule, InboundMessage message, string traceId, ReadOnlyMemory<byte> payload, EvalContext eval, bool isErrorAction)
    {
        Rule = rule;
        Message = message;
        TraceId = traceId;
        Payload = payload;
        _eval = eval;
        IsErrorAction = isErrorAction;
    }

    public CompiledRule Rule { get; }

    public InboundMessage Message { get; }

    /// <summary>The message's trace id (the message's own, or one the engine made): logs and <c>cloudwatchTraceId</c>.</summary>
    public string TraceId { get; }

    /// <summary>What the action delivers: the SQL result bytes, or for the error action the error document.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>True when this is the rule's error action.</summary>
    public bool IsErrorAction { get; }

    /// <summary>
    /// Renders <paramref name="template"/> against the original message (and the SQL's SET variables).
    /// Only valid before the action's first await; see <see cref="IRuleAction"/>.
    /// </summary>
    public string Render(SubstitutionTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.IsConstant)
        {
            return template.Text;
        }
        if (_sealed)
        {
            throw new InvalidOperationException("Substitution templates must be rendered before the action's first await.");
        }
        return template.Render(_eval);
    }

    internal void Seal() => _sealed = true;
}
