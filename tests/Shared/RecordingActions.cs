using System.Collections.Concurrent;
using System.Text.Json;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Sql.Templates;

namespace IoTRuleEmu.Testing;

/// <summary>One execution seen by a <see cref="RecordingActionFactory"/> action.</summary>
public sealed record RecordedExecution(string RuleName, string Target, byte[] Payload, bool IsErrorAction, string Topic, string TraceId)
{
    public string PayloadText => System.Text.Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// A fake action type for engine tests, registered under an action key (e.g. <c>lambda</c>): its config is
/// <c>{"target": "&lt;template&gt;", "fail": "&lt;error message&gt;", "block": true}</c>. It records every execution;
/// <c>block</c> makes it wait for <see cref="Release"/>.
/// </summary>
public sealed class RecordingActionFactory(string actionKey) : IRuleActionFactory
{
    private readonly ConcurrentQueue<RecordedExecution> _executions = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<(Func<RecordedExecution, bool> Match, TaskCompletionSource<RecordedExecution> Done)> _waiters = [];

    public string ActionKey { get; } = actionKey;

    public IReadOnlyList<RecordedExecution> Executions => [.. _executions];

    /// <summary>Counts executions of blocking actions that have started.</summary>
    public int BlockedStarted;

    /// <summary>Lets blocked actions finish.</summary>
    public void Release() => _release.TrySetResult();

    public Task<RecordedExecution> WaitForAsync(Func<RecordedExecution, bool> match, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var existing = _executions.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }
            var tcs = new TaskCompletionSource<RecordedExecution>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task.WaitAsync(cancellationToken);
        }
    }

    public IRuleAction? Create(RuleActionConfig config, ActionCreateContext context)
    {
        var target = config.Body.TryGetProperty("target", out var t) ? t.GetString()! : "target";
        var fail = config.Body.TryGetProperty("fail", out var f) ? f.GetString() : null;
        var block = config.Body.TryGetProperty("block", out var b) && b.ValueKind == JsonValueKind.True;
        return new RecordingAction(this, SubstitutionTemplate.Parse(target, context.SqlVersion), fail, block);
    }

    private void Record(RecordedExecution execution)
    {
        List<TaskCompletionSource<RecordedExecution>>? done = null;
        lock (_lock)
        {
            _executions.Enqueue(execution);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(execution))
                {
                    (done ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        done?.ForEach(d => d.TrySetResult(execution));
    }

    private sealed class RecordingAction(RecordingActionFactory owner, SubstitutionTemplate target, string? fail, bool block) : IRuleAction
    {
        public string ActionKey => owner.ActionKey;

        public async ValueTask<ActionResult> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
        {
            var rendered = context.Render(target);
            if (block)
            {
                Interlocked.Increment(ref owner.BlockedStarted);
                await owner._release.Task.WaitAsync(cancellationToken);
            }
            owner.Record(new RecordedExecution(context.Rule.Name, rendered, context.Payload.ToArray(), context.IsErrorAction, context.Message.Topic, context.TraceId));
            return fail is null ? ActionResult.Success(rendered) : ActionResult.Failure(rendered, fail);
        }
    }
}
