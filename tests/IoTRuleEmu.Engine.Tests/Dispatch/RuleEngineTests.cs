using System.Text;
using System.Text.Json;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Engine.Tests.Dispatch;

/// <summary>Dispatch behaviour with a fake action type registered as <c>lambda</c>.</summary>
public sealed class RuleEngineTests : IAsyncLifetime
{
    private readonly RecordingActionFactory _actions = new("lambda");
    private EmulatorHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await EmulatorHarness.StartAsync(services => services.AddSingleton<IRuleActionFactory>(_actions));

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    private static string Rule(string sql, string actions = """[{"lambda":{"target":"t"}}]""", string extra = "") =>
        $$"""{"sql":{{JsonSerializer.Serialize(sql)}},"actions":{{actions}}{{extra}}}""";

    [Fact]
    public async Task MatchingRule_RunsActionWithSqlOutput_OthersDoNot()
    {
        _h.AddRule("temp", Rule("SELECT temp, topic(2) AS device FROM 'sensors/+/data' WHERE temp > 30"));
        _h.AddRule("other", Rule("SELECT * FROM 'other/#'"));

        await _h.PublishAsync("sensors/d1/data", """{"temp": 35}""");
        await _h.PublishAsync("sensors/d2/data", """{"temp": 20}""");
        await _h.PublishAsync("sensors/d3/extra", """{"temp": 50}""");

        var execution = Assert.Single(_actions.Executions);
        Assert.Equal("temp", execution.RuleName);
        Assert.Equal("""{"temp":35,"device":"d1"}""", execution.PayloadText);
        var counters = _h.Rules.Current.Find("temp")!.Counters;
        Assert.Equal(1, counters.Matched);
        Assert.Equal(1, counters.ActionsSucceeded);
        Assert.Equal(0, _h.Rules.Current.Find("other")!.Counters.Matched);
        Assert.Single(_h.Logs.WithEventId(EventIds.RuleMatched));
        var sqlResult = Assert.Single(_h.Logs.WithEventId(EventIds.SqlResult));
        Assert.Equal("temp", sqlResult["RuleName"]);
        Assert.Equal("sensors/d1/data", sqlResult["Topic"]);
        Assert.Equal(execution.TraceId, sqlResult["TraceId"]);
    }

    [Fact]
    public async Task EveryMatchingRule_FiresIndependently()
    {
        for (var i = 0; i < 5; i++)
        {
            _h.AddRule($"r{i}", Rule("SELECT * FROM 'fan/out'"));
        }
        await _h.PublishAsync("fan/out", "{}");
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], _actions.Executions.Select(e => e.RuleName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DisabledRule_NeverFires_UntilEnabled()
    {
        _h.AddRule("off", Rule("SELECT * FROM 'd/t'", extra: ""","ruleDisabled":true"""));
        await _h.PublishAsync("d/t", "{}");
        await _h.PublishAsync("$aws/rules/off/d/t", "{}");
        Assert.Empty(_actions.Executions);

        Assert.True(_h.Rules.SetEnabled("off", true));
        await _h.PublishAsync("d/t", "{}");
        Assert.Single(_actions.Executions);
    }

    [Fact]
    public async Task BasicIngest_OnlyTheNamedRuleSeesIt_AndTopicHasNoPrefix()
    {
        _h.AddRule("ingest", Rule("SELECT topic() AS t, topic(1) AS first FROM 'ignored/filter'"));
        _h.AddRule("wildcard", Rule("SELECT * FROM '#'"));
        _h.AddRule("exact", Rule("SELECT * FROM 'factory/line1'"));

        await _h.PublishAsync("$aws/rules/ingest/factory/line1", """{"v":1}""");

        var execution = Assert.Single(_actions.Executions);
        Assert.Equal("ingest", execution.RuleName);
        Assert.Equal("""{"t":"factory/line1","first":"factory"}""", execution.PayloadText);
    }

    [Fact]
    public async Task BasicIngest_UnknownOrDisabledRule_IsLoggedAndNothingRuns()
    {
        _h.AddRule("off", Rule("SELECT * FROM 'x'", extra: ""","ruleDisabled":true"""));
        _h.AddRule("wildcard", Rule("SELECT * FROM '#'"));

        await _h.PublishAsync("$aws/rules/missing/a", "{}");
        await _h.PublishAsync("$aws/rules/off/a", "{}");

        Assert.Empty(_actions.Executions);
        var logs = _h.Logs.WithEventId(EventIds.BasicIngestRuleNotFound);
        Assert.Equal(["missing", "off"], logs.Select(l => (string)l["RuleName"]!));
        Assert.Equal(["does not exist", "is disabled"], logs.Select(l => (string)l["Reason"]!));
    }

    [Fact]
    public async Task WildcardRule_DoesNotSeeDollarTopics()
    {
        _h.AddRule("wildcard", Rule("SELECT * FROM '#'"));
        await _h.PublishAsync("$aws/things/t1/shadow/update", "{}");
        await _h.PublishAsync("plain", "{}");
        Assert.Equal(["plain"], _actions.Executions.Select(e => e.Topic));
    }

    [Fact]
    public async Task NotEmulatedActionType_IsSkippedAndLoggedOnEachUse_OtherActionsRun()
    {
        _h.AddRule("mixed", Rule("SELECT * FROM 'm'", """[{"sqs":{"queueUrl":"q","roleArn":"r"}},{"lambda":{"target":"ok"}}]""",
            ""","errorAction":{"lambda":{"target":"err"}}"""));

        await _h.PublishAsync("m", "{}");
        await _h.PublishAsync("m", "{}");

        Assert.Equal(["ok", "ok"], _actions.Executions.Select(e => e.Target));
        var uses = _h.Logs.WithEventId(EventIds.ActionNotEmulated);
        Assert.Equal(2, uses.Count);
        Assert.All(uses, u => Assert.Equal("sqs", u["ActionKey"]));
        Assert.Equal(2, _h.Rules.Current.Find("mixed")!.Counters.ActionsSkipped);
        Assert.Single(_h.Logs.WithEventId(EventIds.ActionTypeNotEmulated));
    }

    [Fact]
    public async Task FailedActions_RunTheErrorActionOnceWithEveryFailure()
    {
        _h.AddRule("failing", Rule("SELECT temp FROM 'err/+'",
            """[{"lambda":{"target":"a1","fail":"boom 1"}},{"lambda":{"target":"ok"}},{"lambda":{"target":"a3-${topic(2)}","fail":"boom 3"}}]""",
            ""","errorAction":{"lambda":{"target":"err/${topic()}/${clientid()}/${temp}"}}"""));
        var original = Encoding.UTF8.GetBytes("{\n  \"temp\": 1,\n  \"note\": \"h\u00e9llo\"\n}");

        var message = _h.Message("err/dev9", original, clientId: "client-42");
        Assert.True(_h.Engine.TryEnqueue(message));
        await _h.SettleAsync();

        var errorRun = Assert.Single(_actions.Executions, e => e.IsErrorAction);
        // The error action's templates see the original message, not the SQL output.
        Assert.Equal("err/err/dev9/client-42/1", errorRun.Target);
        using var doc = JsonDocument.Parse(errorRun.Payload);
        var root = doc.RootElement;
        Assert.Equal(["ruleName", "topic", "cloudwatchTraceId", "clientId", "sourceIp", "base64OriginalPayload", "failures"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("failing", root.GetProperty("ruleName").GetString());
        Assert.Equal("err/dev9", root.GetProperty("topic").GetString());
        Assert.Equal(message.TraceId, root.GetProperty("cloudwatchTraceId").GetString());
        Assert.Equal("client-42", root.GetProperty("clientId").GetString());
        Assert.Equal("10.0.0.7", root.GetProperty("sourceIp").GetString());
        Assert.Equal(original, root.GetProperty("base64OriginalPayload").GetBytesFromBase64());
        var failures = root.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(("LambdaAction", "a1", "boom 1"), (failures[0].GetProperty("failedAction").GetString(), failures[0].GetProperty("failedResource").GetString(), failures[0].GetProperty("errorMessage").GetString()));
        Assert.Equal(("LambdaAction", "a3-dev9", "boom 3"), (failures[1].GetProperty("failedAction").GetString(), failures[1].GetProperty("failedResource").GetString(), failures[1].GetProperty("errorMessage").GetString()));

        var counters = _h.Rules.Current.Find("failing")!.Counters;
        Assert.Equal(2, counters.ActionsFailed);
        Assert.Equal(1, counters.ActionsSucceeded);
        Assert.Equal(1, counters.ErrorActionsSucceeded);
        Assert.Equal(2, _h.Logs.WithEventId(EventIds.ActionFailed).Count);
        var run = Assert.Single(_h.Logs.WithEventId(EventIds.ErrorActionRun));
        Assert.Equal(2, run["FailureCount"]);
        Assert.Equal(message.TraceId, run["TraceId"]);
    }

    [Fact]
    public async Task NoFailures_NoErrorAction()
    {
        _h.AddRule("fine", Rule("SELECT * FROM 'f'", extra: ""","errorAction":{"lambda":{"target":"err"}}"""));
        await _h.PublishAsync("f", "{}");
        Assert.DoesNotContain(_actions.Executions, e => e.IsErrorAction);
        Assert.Empty(_h.Logs.WithEventId(EventIds.ErrorActionRun));
    }

    [Fact]
    public async Task FailingErrorAction_IsLoggedAndGoesNoFurther()
    {
        _h.AddRule("double_fail", Rule("SELECT * FROM 'df'", """[{"lambda":{"target":"a","fail":"first"}}]""",
            ""","errorAction":{"lambda":{"target":"e","fail":"second"}}"""));

        await _h.PublishAsync("df", "{}");

        Assert.Equal([false, true], _actions.Executions.Select(e => e.IsErrorAction));
        var failed = Assert.Single(_h.Logs.WithEventId(EventIds.ErrorActionFailed));
        Assert.Equal("second", failed["Error"]);
        var counters = _h.Rules.Current.Find("double_fail")!.Counters;
        Assert.Equal(1, counters.ErrorActionsFailed);
        Assert.Equal("errorAction: second", counters.LastError!.Message);
    }

    [Fact]
    public async Task FailureWithoutErrorAction_IsLogged()
    {
        _h.AddRule("no_err", Rule("SELECT * FROM 'ne'", """[{"lambda":{"target":"a","fail":"x"}}]"""));
        await _h.PublishAsync("ne", "{}");
        Assert.Single(_h.Logs.WithEventId(EventIds.NoErrorAction));
    }

    [Fact]
    public async Task SqlFailure_RunsNoActionAndNoErrorAction()
    {
        // get_dynamodb needs the cloud: without external functions the evaluation fails.
        _h.AddRule("ext", Rule("SELECT get_dynamodb('t', 'k', 'v', 'arn:aws:iam::123456789012:role/r') AS x FROM 'ext'", extra: ""","awsIotSqlVersion":"2016-03-23","errorAction":{"lambda":{"target":"err"}}"""));
        await _h.PublishAsync("ext", "{}");
        Assert.Empty(_actions.Executions);
        Assert.Single(_h.Logs.WithEventId(EventIds.SqlFailed));
        Assert.Equal(1, _h.Rules.Current.Find("ext")!.Counters.SqlFailed);
    }
}
