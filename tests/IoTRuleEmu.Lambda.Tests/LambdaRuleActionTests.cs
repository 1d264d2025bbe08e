using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests;

public class LambdaRuleActionTests
{
    [Fact]
    public async Task FunctionArnTemplate_IsRenderedPerMessage()
    {
        await using var h = await LambdaHarness.StartAsync("""{"functions":[{"name":"handler_a"},{"name":"handler_b"}]}""");
        h.AddRule("routed", """{"sql":"SELECT * FROM 'route/+'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:handler_${topic(2)}"}}]}""");

        await h.PublishAsync("route/a", "{}");
        await h.PublishAsync("route/b", "{}");

        Assert.Equal(["Invoke", "InvokeExecution"], h.Records("handler_a").Select(r => r.EventName));
        Assert.Equal(["Invoke", "InvokeExecution"], h.Records("handler_b").Select(r => r.EventName));
    }

    [Fact]
    public async Task RegionAndAccount_GoIntoEveryArn()
    {
        await using var h = await LambdaHarness.StartAsync(
            """{"functions":[{"name":"fn"}]}""",
            configureEngine: o =>
            {
                o.Region = "ap-northeast-1";
                o.AccountId = "111122223333";
            });
        var rule = h.AddRule("regional", """{"sql":"SELECT * FROM 'x'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:ap-northeast-1:111122223333:function:fn"}}]}""");
        Assert.Equal("arn:aws:iot:ap-northeast-1:111122223333:rule/regional", rule.Arn);

        await h.PublishAsync("x", "{}");

        var records = h.CloudTrail().Snapshot();
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal("ap-northeast-1", r.AwsRegion);
            Assert.Equal("111122223333", r.RecipientAccountId);
            Assert.Equal("arn:aws:lambda:ap-northeast-1:111122223333:function:fn", Assert.Single(r.Resources).Arn);
        });
        Assert.Equal("arn:aws:iot:ap-northeast-1:111122223333:rule/regional", records[0].RequestParameters!.SourceArn);
        Assert.Equal("111122223333", records[0].RequestParameters!.SourceAccount);
    }

    [Fact]
    public async Task LambdaAction_MissingFunctionArn_IsAConfigError()
    {
        await using var h = await LambdaHarness.StartAsync();
        var payload = Engine.Configuration.TopicRulePayloadParser.Parse("""{"sql":"SELECT * FROM 'x'","actions":[{"lambda":{"arn":"x"}}]}""", "bad.json");
        var report = h.Rules.Put("bad", payload, "bad.json");
        Assert.Equal(["actions[0].lambda.arn", "actions[0].lambda.functionArn"], report.Errors.Select(e => e.Path!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PreRegisteredFake_WinsOverTryAdd()
    {
        var fake = new FakeLambda();
        await using var h = await LambdaHarness.StartAsync(configureServices: s => s.AddSingleton<ILambdaService>(fake));
        h.AddRule("faked", """{"sql":"SELECT * FROM 'f'","actions":[{"lambda":{"functionArn":"invoke_test"}}],"errorAction":{"republish":{"roleArn":"r","topic":"errs"}}}""");

        await h.PublishAsync("f", "{}");

        Assert.Equal("invoke_test", Assert.Single(fake.Requests).FunctionName);
        Assert.Empty(h.CloudTrail().Snapshot());
        // The fake answered 429: the error action ran with that status code.
        var published = Assert.Single(h.Publisher.Published);
        Assert.Contains("The error code is 429", System.Text.Encoding.UTF8.GetString(published.Payload.Span), StringComparison.Ordinal);
    }

    private sealed class FakeLambda : ILambdaService
    {
        public List<InvokeRequest> Requests { get; } = [];

        public ValueTask<InvokeResult> InvokeAsync(InvokeRequest request, CancellationToken cancellationToken = default)
        {
            Requests.Add(request);
            return ValueTask.FromResult(InvokeResult.Error(429, "id", "TooManyRequestsException", "Rate Exceeded."));
        }
    }
}
