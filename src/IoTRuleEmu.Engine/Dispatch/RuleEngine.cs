using System.Text;
using System.Threading.Channels;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// The rules engine: a bounded channel of <see cref="InboundMessage"/>s drained by worker tasks. A worker finds the
/// matching rules (topic-filter index, or the one named rule for Basic Ingest), evaluates each rule's SQL, and starts the
/// rule's actions as their own task, so a slow action never holds up other rules or messages; at most
/// <see cref="RuleEngineOptions.MaxConcurrentRuleExecutions"/> rule executions run at once.
/// </summary>
public sealed class RuleEngine : IRuleEngine, IAsyncDisposable
{
    /// <summary>Basic Ingest prefix: <c>$aws/rules/&lt;ruleName&gt;/…</c>.</summary>
    public const string BasicIngestPrefix = "$aws/rules/";

    private const int MaxLoggedPayloadChars = 2048;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IRuleStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISqlExternalFunctions? _external;
    private readonly RuleEngineOptions _options;
    private readonly Channel<InboundMessage> _channel;
    private readonly IdleTracker _tracker = new();
    private readonly SemaphoreSlim _executionSlots;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task[] _workers = [];

    public RuleEngine(
        IRuleStore store,
        IOptions<RuleEngineOptions> options,
        TimeProvider timeProvider,
        ILogger<RuleEngine> logger,
        ISqlExternalFunctions? externalFunctions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = timeProvider;
        _logger = logger;
        _external = externalFunctions;
        _options = options.Value;
        _channel = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(Math.Max(1, _options.ChannelCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _executionSlots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentRuleExecutions));
    }

    /// <summary>Messages queued or being dispatched plus rule executions running.</summary>
    public long PendingWork => _tracker.Count;

    public bool TryEnqueue(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _tracker.Enter();
        if (_channel.Writer.TryWrite(message))
        {
            return true;
        }
        _tracker.Exit();
        EngineLog.ChannelFull(_logger, _options.ChannelCapacity, message.Topic, message.TraceId ?? "-");
        return false;
    }

    public async ValueTask EnqueueAsync(InboundMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        _tracker.Enter();
        try
        {
            await _channel.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _tracker.Exit();
            throw;
        }
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _tracker.WhenIdleAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_workers.Length > 0)
        {
            return Task.CompletedTask;
        }
        var count = Math.Max(1, _options.WorkerCount);
        _workers = new Task[count];
        for (var i = 0; i < count; i++)
        {
            _workers[i] = Task.Run(() => WorkerAsync(_stopping.Token), CancellationToken.None);
        }
        EngineLog.DispatchStarted(_logger, count, _options.ChannelCapacity);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop accepting, let the workers drain what is queued, and give running actions until the host's stop timeout.
        _channel.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(false);
            await _tracker.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Host stop timeout: abandon the rest.
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered under two service types: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
        _executionSlots.Dispose();
    }

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<CompiledRule>();
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        await DispatchAsync(message, candidates, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        EngineLog.DispatchFailed(_logger, ex, message.Topic, message.TraceId ?? "-", null);
                    }
                    finally
                    {
                        candidates.Clear();
                        _tracker.Exit();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask DispatchAsync(InboundMessage message, List<CompiledRule> candidates, CancellationToken cancellationToken)
    {
        var traceId = message.TraceId ?? RandomGuid.NewString();
        if (message.RepublishDepth > _options.MaxRepublishDepth)
        {
            EngineLog.RepublishDepthExceeded(_logger, message.Topic, traceId, message.RepublishDepth, _options.MaxRepublishDepth);
            return;
        }

        var rules = _store.Current;
        var sqlTopic = message.Topic;
        var basicIngest = false;
        if (message.Topic.StartsWith(BasicIngestPrefix, StringComparison.Ordinal))
        {
            // $aws/rules/<ruleName>/<rest>: only that rule sees it, and topic() does not include the prefix.
            var rest = message.Topic.AsSpan(BasicIngestPrefix.Length);
            var slash = rest.IndexOf('/');
            var ruleName = (slash < 0 ? rest : rest[..slash]).ToString();
            sqlTopic = slash < 0 ? string.Empty : rest[(slash + 1)..].ToString();
            var rule = rules.Find(ruleName);
            if (rule is null || rule.Disabled)
            {
                EngineLog.BasicIngestRuleNotFound(_logger, message.Topic, traceId, ruleName, rule is null ? "does not exist" : "is disabled");
                return;
            }
            candidates.Add(rule);
            basicIngest = true;
        }
        else
        {
            rules.Index.Match(message.Topic, candidates);
            if (candidates.Count == 0)
            {
                EngineLog.NoRuleMatched(_logger, message.Topic, traceId);
                return;
            }
        }

        foreach (var rule in candidates)
        {
            if (!basicIngest && !rule.Statement.MatchesTopic(message.Topic))
            {
                // The index is a superset (e.g. '$' topics under leading wildcards); the statement decides.
                continue;
            }
            try
            {
                await EvaluateAsync(rule, message, sqlTopic, traceId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                EngineLog.DispatchFailed(_logger, ex, message.Topic, traceId, rule.Name);
            }
        }
    }

    private async ValueTask EvaluateAsync(CompiledRule rule, InboundMessage message, string sqlTopic, string traceId, CancellationToken cancellationToken)
    {
        var sqlMessage = new SqlMessage
        {
            Topic = sqlTopic,
            Payload = message.Payload,
            ClientId = message.ClientId,
            Principal = message.Principal,
            SourceIp = message.SourceIp,
            TraceId = message.TraceId,
            TimestampMs = message.ReceivedAt.ToUnixTimeMilliseconds(),
            AccountId = _options.AccountId,
            Properties = message.Properties,
        };
        var eval = new EvalContext(sqlMessage, _external);
        var handedOff = false;
        try
        {
            var result = rule.Statement.Evaluate(eval);
            switch (result.Outcome)
            {
                case SqlOutcome.NotMatched:
                    EngineLog.SqlNotMatched(_logger, rule.Name, message.Topic, traceId);
                    return;
                case SqlOutcome.Failed:
                    rule.Counters.OnSqlFailed(new RuleError(_time.GetUtcNow(), message.Topic, traceId, result.Error ?? "SQL evaluation failed"));
                    EngineLog.SqlFailed(_logger, rule.Name, message.Topic, traceId, result.Error);
                    return;
            }

            rule.Counters.OnMatched();
            EngineLog.RuleMatched(_logger, rule.Name, message.Topic, traceId);
            var payload = result.Payload ?? [];
            if (_logger.IsEnabled(LogLevel.Information))
            {
                EngineLog.SqlResult(_logger, rule.Name, message.Topic, traceId, DescribePayload(payload));
            }
            if (rule.Actions.IsEmpty)
            {
                return;
            }

            await _executionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            _tracker.Enter();
            handedOff = true;
            var execution = new RuleExecution(this, rule, message, traceId, payload, eval);
            _ = execution.RunAsync(cancellationToken);
        }
        finally
        {
            if (!handedOff)
            {
                eval.Dispose();
            }
        }
    }

    private static string DescribePayload(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return "(empty)";
        }
        try
        {
            var text = s_strictUtf8.GetString(payload);
            return text.Length > MaxLoggedPayloadChars ? text[..MaxLoggedPayloadChars] + "…" : text;
        }
        catch (DecoderFallbackException)
        {
            return $"({payload.Length} bytes, binary)";
        }
    }

    /// <summary>Runs one rule's actions for one message, then its error action if any action failed.</summary>
    private sealed class RuleExecution(RuleEngine engine, CompiledRule rule, InboundMessage message, string traceId, byte[] payload, EvalContext eval)
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var logger = engine._logger;
            try
            {
                var context = new ActionContext(rule, message, traceId, payload, eval, isErrorAction: false);
                var actions = rule.Actions;
                var pending = new ValueTask<ActionResult>[actions.Length];
                for (var i = 0; i < actions.Length; i++)
                {
                    if (actions[i].IsEmulated)
                    {
                        EngineLog.ActionDispatched(logger, rule.Name, actions[i].ActionKey, i, message.Topic, traceId);
                    }
                    pending[i] = Start(actions[i], context, cancellationToken);
                }
                context.Seal();

                List<ActionFailure>? failures = null;
                for (var i = 0; i < pending.Length; i++)
                {
                    var result = await Complete(pending[i]).ConfigureAwait(false);
                    var action = actions[i];
                    switch (result.Outcome)
                    {
                        case ActionOutcome.Succeeded:
                            rule.Counters.OnActionSucceeded();
                            EngineLog.ActionSucceeded(logger, rule.Name, action.ActionKey, i, message.Topic, traceId, result.Resource);
                            break;
                        case ActionOutcome.Skipped:
                            rule.Counters.OnActionSkipped();
                            break;
                        default:
                            var error = result.ErrorMessage ?? "The action failed.";
                            rule.Counters.OnActionFailed(new RuleError(engine._time.GetUtcNow(), message.Topic, traceId, error));
                            EngineLog.ActionFailed(logger, rule.Name, action.ActionKey, i, message.Topic, traceId, result.Resource, error);
                            (failures ??= []).Add(new ActionFailure(ActionKinds.FailureName(action.ActionKey), result.Resource, error));
                            break;
                    }
                }

                if (failures is not null)
                {
                    await RunErrorActionAsync(failures, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                EngineLog.DispatchFailed(logger, ex, message.Topic, traceId, rule.Name);
            }
            finally
            {
                eval.Dispose();
                engine._executionSlots.Release();
                engine._tracker.Exit();
            }
        }

        private async Task RunErrorActionAsync(List<ActionFailure> failures, CancellationToken cancellationToken)
        {
            var logger = engine._logger;
            if (rule.ErrorAction is not { } errorAction)
            {
                EngineLog.NoErrorAction(logger, rule.Name, message.Topic, traceId, failures.Count);
                return;
            }
            var document = ErrorDocument.Build(rule.Name, message, traceId, failures);
            EngineLog.ErrorActionRun(logger, rule.Name, errorAction.ActionKey, message.Topic, traceId, failures.Count);
            var context = new ActionContext(rule, message, traceId, document, eval, isErrorAction: true);
            var pending = Start(errorAction, context, cancellationToken);
            context.Seal();
            var result = await Complete(pending).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case ActionOutcome.Succeeded:
                    rule.Counters.OnErrorActionSucceeded();
                    EngineLog.ErrorActionSucceeded(logger, rule.Name, errorAction.ActionKey, message.Topic, traceId);
                    break;
                case ActionOutcome.Failed:
                    // A failing error action goes no further (ErrorActionFailure).
                    var error = result.ErrorMessage ?? "The error action failed.";
                    rule.Counters.OnErrorActionFailed(new RuleError(engine._time.GetUtcNow(), message.Topic, traceId, "errorAction: " + error));
                    EngineLog.ErrorActionFailed(logger, rule.Name, errorAction.ActionKey, message.Topic, traceId, result.Resource, error);
                    break;
            }
        }

        private static ValueTask<ActionResult> Start(IRuleAction action, ActionContext context, CancellationToken cancellationToken)
        {
            try
            {
                return action.ExecuteAsync(context, cancellationToken);
            }
            catch (Exception ex)
            {
                return ValueTask.FromResult(ActionResult.Failure(null, ex.Message));
            }
        }

        private static async ValueTask<ActionResult> Complete(ValueTask<ActionResult> pending)
        {
            try
            {
                return await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return ActionResult.Failure(null, ex.Message);
            }
        }
    }
}
