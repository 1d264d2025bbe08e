using System.Text;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Engine.Tests.Actions;

public sealed class RepublishTests : IAsyncLifetime
{
    private readonly RecordingActionFactory _actions = new("lambda");
    private EmulatorHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await EmulatorHarness.StartAsync(services => services.AddSingleton<IRuleActionFactory>(_actions), configureEngine: o => o.MaxRepublishDepth = 3);

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    [Fact]
    public async Task Republish_RendersTopicAndHeaders_AndReentersTheRules()
    {
        _h.AddRule("repub", """
            {"sql":"SELECT temp, 'x' AS tag FROM 'in/+'","awsIotSqlVersion":"2016-03-23","actions":[{"republish":{
              "roleArn":"arn:aws:iam::123456789012:role/r","topic":"out/${topic(2)}","qos":1,
              "headers":{"payloadFormatIndicator":"UTF8_DATA","contentType":"application/${fmt}","responseTopic":"reply/${clientid()}",
                         "correlationData":"${encode(topic(2), 'base64')}","messageExpiry":"${temp * 10}",
                         "userProperties":[{"key":"device","value":"${topic(2)}"},{"key":"k","value":"v"}]}}}]}
            """);
        _h.AddRule("downstream", """{"sql":"SELECT * FROM 'out/+'","actions":[{"lambda":{"target":"${topic()}"}}]}""");

        await _h.PublishAsync("in/dev1", """{"temp": 3, "fmt": "json"}""", clientId: "c7");

        var published = Assert.Single(_h.Publisher.Published);
        Assert.Equal("out/dev1", published.Topic);
        Assert.Equal("""{"temp":3,"tag":"x"}""", Encoding.UTF8.GetString(published.Payload.Span));
        Assert.Equal(1, published.Qos);
        Assert.True(published.PayloadIsUtf8);
        Assert.Equal("application/json", published.ContentType);
        Assert.Equal("reply/c7", published.ResponseTopic);
        Assert.Equal("dev1", Encoding.UTF8.GetString(published.CorrelationData!.Value.Span));
        Assert.Equal(30u, published.MessageExpiryInterval);
        Assert.Equal([new("device", "dev1"), new KeyValuePair<string, string>("k", "v")], published.UserProperties);
        Assert.Equal(1, published.RepublishDepth);
        Assert.Equal("repub", published.SourceRuleName);

        // The republished message triggered the downstream rule.
        var downstream = Assert.Single(_actions.Executions);
        Assert.Equal("out/dev1", downstream.Target);
        Assert.Equal("""{"temp":3,"tag":"x"}""", downstream.PayloadText);
    }

    [Fact]
    public async Task Republish_DoubleDollar_PublishesToReservedTopic()
    {
        _h.AddRule("shadow", """{"sql":"SELECT * FROM 'dev/+/state'","actions":[{"republish":{"roleArn":"r","topic":"$$aws/things/${topic(2)}/shadow/update"}}]}""");
        await _h.PublishAsync("dev/t1/state", """{"state":{"reported":{"on":true}}}""");
        Assert.Equal("$aws/things/t1/shadow/update", Assert.Single(_h.Publisher.Published).Topic);
    }

    [Fact]
    public async Task Republish_Loop_IsStoppedByTheDepthGuard()
    {
        _h.AddRule("loop", """{"sql":"SELECT * FROM 'loop/#'","actions":[{"republish":{"roleArn":"r","topic":"loop/again"}}]}""");

        await _h.PublishAsync("loop/start", """{"n":1}""");

        // Depths 1..3 are evaluated; the message at depth 4 is published but not evaluated (limit 3).
        Assert.Equal([1, 2, 3, 4], _h.Publisher.Published.Select(p => p.RepublishDepth));
        var guard = Assert.Single(_h.Logs.WithEventId(EventIds.RepublishDepthExceeded));
        Assert.Equal(4, guard["Depth"]);
        Assert.Equal("loop/again", guard["Topic"]);
        Assert.Equal(4, _h.Rules.Current.Find("loop")!.Counters.Matched);
    }

    [Fact]
    public async Task Republish_Failure_GoesToTheErrorActionAsRepublishAction()
    {
        _h.Publisher.FailWith = new InvalidOperationException("broker down");
        _h.AddRule("rp_fail", """{"sql":"SELECT * FROM 'rf'","actions":[{"republish":{"roleArn":"r","topic":"rf/out"}}],"errorAction":{"lambda":{"target":"err"}}}""");

        await _h.PublishAsync("rf", "{}");

        var error = Assert.Single(_actions.Executions, e => e.IsErrorAction);
        Assert.Contains("\"failedAction\":\"RepublishAction\"", error.PayloadText, StringComparison.Ordinal);
        Assert.Contains("\"failedResource\":\"rf/out\"", error.PayloadText, StringComparison.Ordinal);
        Assert.Contains("broker down", error.PayloadText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Republish_AsErrorAction_PublishesTheErrorDocument()
    {
        _h.AddRule("err_repub", """{"sql":"SELECT * FROM 'er'","actions":[{"lambda":{"target":"a","fail":"nope"}}],"errorAction":{"republish":{"roleArn":"r","topic":"errors/${topic()}"}}}""");
        await _h.PublishAsync("er", """{"a":1}""");
        var published = Assert.Single(_h.Publisher.Published);
        Assert.Equal("errors/er", published.Topic);
        Assert.StartsWith("{\"ruleName\":\"err_repub\",\"topic\":\"er\"", Encoding.UTF8.GetString(published.Payload.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Republish_BadRenderedHeader_FailsTheAction()
    {
        _h.AddRule("bad_hdr", """{"sql":"SELECT * FROM 'bh'","actions":[{"republish":{"roleArn":"r","topic":"o","headers":{"messageExpiry":"${v}"}}}],"errorAction":{"lambda":{"target":"err"}}}""");
        await _h.PublishAsync("bh", """{"v":"soon"}""");
        Assert.Empty(_h.Publisher.Published);
        var error = Assert.Single(_actions.Executions, e => e.IsErrorAction);
        Assert.Contains("messageExpiry", error.PayloadText, StringComparison.Ordinal);
    }
}
