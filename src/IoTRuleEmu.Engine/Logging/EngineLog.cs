using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Engine.Logging;

/// <summary>The engine's log events (source-generated). Every dispatch event carries rule name, topic and trace id.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventIds.RuleMatched, LogLevel.Information, "Rule {RuleName} matched message on {Topic} (trace {TraceId})")]
    public static partial void RuleMatched(ILogger logger, string ruleName, string topic, string traceId);

    [LoggerMessage(EventIds.SqlResult, LogLevel.Information, "Rule {RuleName} SQL result for {Topic} (trace {TraceId}): {Payload}")]
    public static partial void SqlResult(ILogger logger, string ruleName, string topic, string traceId, string payload);

    [LoggerMessage(EventIds.SqlNotMatched, LogLevel.Debug, "Rule {RuleName} did not match message on {Topic} (trace {TraceId}): WHERE is not true")]
    public static partial void SqlNotMatched(ILogger logger, string ruleName, string topic, string traceId);

    [LoggerMessage(EventIds.SqlFailed, LogLevel.Warning, "Rule {RuleName} SQL evaluation failed for {Topic} (trace {TraceId}): {Error}; no action runs")]
    public static partial void SqlFailed(ILogger logger, string ruleName, string topic, string traceId, string? error);

    [LoggerMessage(EventIds.ActionDispatched, LogLevel.Information, "Rule {RuleName} dispatching {ActionKey} action {ActionIndex} for {Topic} (trace {TraceId})")]
    public static partial void ActionDispatched(ILogger logger, string ruleName, string actionKey, int actionIndex, string topic, string traceId);

    [LoggerMessage(EventIds.ActionSucceeded, LogLevel.Debug, "Rule {RuleName} {ActionKey} action {ActionIndex} succeeded for {Topic} (trace {TraceId}) on {Resource}")]
    public static partial void ActionSucceeded(ILogger logger, string ruleName, string actionKey, int actionIndex, string topic, string traceId, string? resource);

    [LoggerMessage(EventIds.ActionFailed, LogLevel.Warning, "Rule {RuleName} {ActionKey} action {ActionIndex} failed for {Topic} (trace {TraceId}) on {Resource}: {Error}")]
    public static partial void ActionFailed(ILogger logger, string ruleName, string actionKey, int actionIndex, string topic, string traceId, string? resource, string? error);

    [LoggerMessage(EventIds.ActionNotEmulated, LogLevel.Warning, "Rule {RuleName} action {ActionPath} ({ActionKey}) is not emulated yet: skipped for {Topic} (trace {TraceId})")]
    public static partial void ActionNotEmulated(ILogger logger, string ruleName, string actionPath, string actionKey, string topic, string traceId);

    [LoggerMessage(EventIds.ErrorActionRun, LogLevel.Information, "Rule {RuleName} running error action {ActionKey} for {Topic} (trace {TraceId}): {FailureCount} failed action(s)")]
    public static partial void ErrorActionRun(ILogger logger, string ruleName, string actionKey, string topic, string traceId, int failureCount);

    [LoggerMessage(EventIds.ErrorActionSucceeded, LogLevel.Debug, "Rule {RuleName} error action {ActionKey} succeeded for {Topic} (trace {TraceId})")]
    public static partial void ErrorActionSucceeded(ILogger logger, string ruleName, string actionKey, string topic, string traceId);

    [LoggerMessage(EventIds.ErrorActionFailed, LogLevel.Error, "Rule {RuleName} error action {ActionKey} failed for {Topic} (trace {TraceId}) on {Resource}: {Error}; nothing further runs")]
    public static partial void ErrorActionFailed(ILogger logger, string ruleName, string actionKey, string topic, string traceId, string? resource, string? error);

    [LoggerMessage(EventIds.NoErrorAction, LogLevel.Warning, "Rule {RuleName} had {FailureCount} failed action(s) for {Topic} (trace {TraceId}) and has no error action")]
    public static partial void NoErrorAction(ILogger logger, string ruleName, string topic, string traceId, int failureCount);

    [LoggerMessage(EventIds.BasicIngestRuleNotFound, LogLevel.Error, "Basic Ingest message on {Topic} (trace {TraceId}) names rule {RuleName}, which {Reason}: message dropped (RuleNotFound)")]
    public static partial void BasicIngestRuleNotFound(ILogger logger, string topic, string traceId, string ruleName, string reason);

    [LoggerMessage(EventIds.RepublishDepthExceeded, LogLevel.Warning, "Loop guard: message on {Topic} (trace {TraceId}) was republished {Depth} times (limit {MaxDepth}); rules are not evaluated for it")]
    public static partial void RepublishDepthExceeded(ILogger logger, string topic, string traceId, int depth, int maxDepth);

    [LoggerMessage(EventIds.ChannelFull, LogLevel.Warning, "Rules engine queue is full ({Capacity} messages): message on {Topic} (trace {TraceId}) dropped")]
    public static partial void ChannelFull(ILogger logger, int capacity, string topic, string traceId);

    [LoggerMessage(EventIds.DispatchFailed, LogLevel.Error, "Unexpected error while dispatching message on {Topic} (trace {TraceId}) to rule {RuleName}")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, string topic, string traceId, string? ruleName);

    [LoggerMessage(EventIds.NoRuleMatched, LogLevel.Trace, "No rule matched message on {Topic} (trace {TraceId})")]
    public static partial void NoRuleMatched(ILogger logger, string topic, string traceId);

    [LoggerMessage(EventIds.DispatchStarted, LogLevel.Information, "Rules engine started: {WorkerCount} worker(s), queue capacity {Capacity}")]
    public static partial void DispatchStarted(ILogger logger, int workerCount, int capacity);

    [LoggerMessage(EventIds.RuleLoaded, LogLevel.Information, "Rule {RuleName} loaded from {Source} ({State}, FROM '{TopicFilter}', {ActionCount} action(s), error action {ErrorAction})")]
    public static partial void RuleLoaded(ILogger logger, string ruleName, string source, string state, string? topicFilter, int actionCount, string errorAction);

    [LoggerMessage(EventIds.RuleRejected, LogLevel.Error, "Rule {RuleName} from {Source} rejected: {Error}")]
    public static partial void RuleRejected(ILogger logger, string ruleName, string source, string error);

    [LoggerMessage(EventIds.RuleRemoved, LogLevel.Information, "Rule {RuleName} removed")]
    public static partial void RuleRemoved(ILogger logger, string ruleName);

    [LoggerMessage(EventIds.ActionTypeNotEmulated, LogLevel.Warning, "Rule {RuleName} action {ActionPath} uses action type {ActionKey}, which is not emulated yet: it will be skipped")]
    public static partial void ActionTypeNotEmulated(ILogger logger, string ruleName, string actionPath, string actionKey);

    [LoggerMessage(EventIds.RulesDirectoryMissing, LogLevel.Warning, "Rules folder {Directory} does not exist: no rules loaded")]
    public static partial void RulesDirectoryMissing(ILogger logger, string directory);

    [LoggerMessage(EventIds.RulesLoaded, LogLevel.Information, "Loaded {RuleCount} rule(s) from {Directory}; {ErrorCount} file(s) rejected")]
    public static partial void RulesLoaded(ILogger logger, int ruleCount, string directory, int errorCount);

    [LoggerMessage(EventIds.RuleKeptPrevious, LogLevel.Warning, "Rule {RuleName}: keeping the previously loaded version because {Source} is invalid")]
    public static partial void RuleKeptPrevious(ILogger logger, string ruleName, string source);

    [LoggerMessage(EventIds.RuleEnabledChanged, LogLevel.Information, "Rule {RuleName} {State}")]
    public static partial void RuleEnabledChanged(ILogger logger, string ruleName, string state);
}
