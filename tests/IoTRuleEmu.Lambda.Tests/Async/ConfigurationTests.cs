using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Persistence;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTRuleEmu.Lambda.Tests.Async;

/// <summary>The functions-file extension, EventInvokeConfig validation and store, and the permission diagnosis.</summary>
public class ConfigurationTests
{
    private static IReadOnlyList<string> Errors(string json)
    {
        Assert.False(FunctionsFileParser.TryParseFile(Encoding.UTF8.GetBytes(json), "f.json", out _, out var errors));
        return errors;
    }

    [Fact]
    public void Parse_FullFunction_ReadsEveryField()
    {
        var json = """
            {"endpoints":{"sqs":"http://localhost:9324","sns":"http://localhost:4566"},
             "functions":[
              {"name":"full","behavior":"failTimes","failTimes":2,"errorMessage":"m","errorType":"T","response":{"x":1},"timeout":10,"memorySize":256,
               "reservedConcurrency":5,"allowIoT":false,"environment":{"A":"1"},"maximumRetryAttempts":1,"maximumEventAgeInSeconds":120,
               "onSuccess":"arn:aws:sqs:us-east-1:123456789012:ok","onFailure":"arn:aws:sns:us-east-1:123456789012:bad",
               "deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq"},
              {"name":"h","http":{"url":"http://127.0.0.1:9000/fn","headers":{"X-A":"b"}}},
              {"name":"c","command":{"path":"/bin/cat","args":["-"]}},
              {"name":"i","invokeEndpoint":"http://127.0.0.1:3001"},
              {"name":"r","runtimeApi":{"bootstrap":"./bootstrap","handler":"index.handler"}},
              {"name":"rm","remote":{"endpoint":"https://lambda.eu-west-1.amazonaws.com","region":"eu-west-1","functionName":"real"}},
              {"name":"s","sleepSeconds":5}]}
            """;
        Assert.True(FunctionsFileParser.TryParseFile(Encoding.UTF8.GetBytes(json), "f.json", out var model, out var errors), string.Join("\n", errors));
        Assert.Equal(new ServiceEndpoints("http://localhost:9324", "http://localhost:4566"), model.Endpoints);
        var full = model.Functions[0];
        Assert.Equal((FunctionBehavior.FailTimes, 2, "m", "T", """{"x":1}""", 10, 256, 5, false),
            (full.Behavior, full.FailTimes, full.ErrorMessage, full.ErrorType, full.Response, full.TimeoutSeconds, full.MemorySize, full.ReservedConcurrency, full.AllowIoT));
        Assert.Equal("1", full.Environment!["A"]);
        Assert.Equal(new EventInvokeSettings(1, 120, "arn:aws:sqs:us-east-1:123456789012:ok", "arn:aws:sns:us-east-1:123456789012:bad"), full.EventInvokeConfig);
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:dlq", full.DeadLetterTargetArn);
        Assert.Equal([FunctionRunKind.Behavior, FunctionRunKind.Http, FunctionRunKind.Command, FunctionRunKind.InvokeEndpoint, FunctionRunKind.RuntimeApi, FunctionRunKind.Remote, FunctionRunKind.Behavior],
            model.Functions.Select(f => f.RunKind));
        Assert.Equal("b", model.Functions[1].Http!.Headers!["X-A"]);
        Assert.Equal(["-"], model.Functions[2].Command!.Args);
        Assert.Equal(new RemoteFunctionSpec("https://lambda.eu-west-1.amazonaws.com", "eu-west-1", "real"), model.Functions[5].Remote);
        Assert.Equal((FunctionBehavior.Sleep, 5.0), (model.Functions[6].Behavior, model.Functions[6].SleepSeconds));
        Assert.Equal(3, model.Functions[1].TimeoutSeconds);
    }

    [Theory]
    [InlineData("\"maximumRetryAttempts\":3", "[functions[0].maximumRetryAttempts]: 1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2")]
    [InlineData("\"maximumRetryAttempts\":-1", "[functions[0].maximumRetryAttempts]: 1 validation error detected: Value '-1' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to 0")]
    [InlineData("\"maximumEventAgeInSeconds\":59", "[functions[0].maximumEventAgeInSeconds]: 1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60")]
    [InlineData("\"maximumEventAgeInSeconds\":21601", "[functions[0].maximumEventAgeInSeconds]: 1 validation error detected: Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600")]
    [InlineData("\"timeout\":0", "[functions[0].timeout]: 1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData("\"reservedConcurrency\":-1", "[functions[0].reservedConcurrency]: 1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0")]
    [InlineData("\"onSuccess\":\"arn:aws:lambda:us-east-1:123456789012:function:fn\"", "[functions[0].onSuccess]: You can't specify the function as a destination for itself.")]
    [InlineData("\"onFailure\":\"arn:aws:lambda:us-east-1:123456789012:function:missing\"", "[functions[0].onFailure]: The destination ARN arn:aws:lambda:us-east-1:123456789012:function:missing is invalid.")]
    [InlineData("\"onSuccess\":\"arn:aws:s3:::bucket\"", "[functions[0].onSuccess]: The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::bucket), onFailure=null) is invalid.")]
    [InlineData("\"onFailure\":\"not-an-arn\"", "[functions[0].onFailure]: 1 validation error detected: Value 'not-an-arn' at 'destinationConfig.onFailure.destination' failed to satisfy constraint")]
    [InlineData("\"deadLetterTargetArn\":\"arn:aws:lambda:us-east-1:123456789012:function:other\"", "[functions[0].deadLetterTargetArn]: The provided target arn arn:aws:lambda:us-east-1:123456789012:function:other is invalid")]
    [InlineData("\"http\":\"ftp://x\"", "[functions[0].http]: expected an http:// or https:// URL")]
    [InlineData("\"http\":\"http://x\",\"command\":\"/bin/true\"", "[functions[0].command]: a function runs one way only; it has http and command.")]
    [InlineData("\"behavior\":\"failTimes\"", "[functions[0].failTimes]: behavior \"failTimes\" needs \"failTimes\": N")]
    public void Parse_OutOfRangeOrInvalid_IsRejectedWithTheAwsMessage(string field, string expected)
    {
        var error = Assert.Single(Errors($$"""{"functions":[{"name":"fn",{{field}}}]}"""));
        Assert.StartsWith("f.json " + expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_S3_IsAllowedOnlyOnFailure()
    {
        Assert.True(FunctionsFileParser.TryParseFile(Encoding.UTF8.GetBytes("""{"functions":[{"name":"fn","onFailure":"arn:aws:s3:::bucket"}]}"""), "f", out _, out _));
    }

    [Fact]
    public async Task InvalidFile_IsReported_AndTheFunctionsLoadedBeforeStay()
    {
        await using var h = await LambdaHarness.StartAsync("""{"functions":[{"name":"keep","maximumRetryAttempts":1}]}""");
        var path = Path.Combine(h.DataDirectory, "bad.json");
        Directory.CreateDirectory(h.DataDirectory);
        await File.WriteAllTextAsync(path, """{"functions":[{"name":"x","maximumRetryAttempts":5}]}""");

        var errors = h.Functions().LoadFile(path);

        Assert.Contains("Member must have value less than or equal to 2", Assert.Single(errors), StringComparison.Ordinal);
        Assert.True(h.Functions().TryGet("keep", out _));
        Assert.Equal(1, h.Services.GetRequiredService<IEventInvokeConfigStore>().Get("keep")!.Settings.MaximumRetryAttempts);
        Assert.Contains(h.Logs.WithEventId(EventIds.FunctionsFileInvalid), e => ((string)e["Error"]!).Contains("maximumRetryAttempts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Store_ApiConfig_WinsOverTheFile_UntilDeleted_AndIsPersisted()
    {
        var data = Path.Combine(Path.GetTempPath(), "iotruleemu-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var clock = new FakeTimeProvider(EmulatorHarness.Start);
            using (var db = Database(data))
            {
                var store = new EventInvokeConfigStore(db, clock);
                store.SetFileConfigs([KeyValuePair.Create("fn", new EventInvokeSettings(MaximumRetryAttempts: 1))]);
                Assert.Equal(EventInvokeConfigSource.FunctionsFile, store.Get("fn")!.Source);

                store.Put("fn", null, new EventInvokeSettings(MaximumEventAgeInSeconds: 100));
                clock.Advance(TimeSpan.FromSeconds(5));
                var updated = store.Update("fn", "$LATEST", s => s with { OnFailureDestination = "arn:aws:sqs:us-east-1:123456789012:q" })!;
                Assert.Equal(new EventInvokeSettings(null, 100, null, "arn:aws:sqs:us-east-1:123456789012:q"), updated.Settings);
                Assert.Equal(EmulatorHarness.Start.AddSeconds(5), updated.LastModified);
                Assert.Null(store.Update("fn", "prod", s => s));
                store.Put("fn", "prod", new EventInvokeSettings(MaximumRetryAttempts: 0));

                // A reload of the file does not undo what the API set.
                store.SetFileConfigs([KeyValuePair.Create("fn", new EventInvokeSettings(MaximumRetryAttempts: 2))]);
                Assert.Equal(100, store.Get("fn")!.Settings.MaximumEventAgeInSeconds);
                Assert.Equal(["$LATEST", "prod"], store.List("fn").Select(c => c.Qualifier));
            }
            using (var db = Database(data))
            {
                var store = new EventInvokeConfigStore(db, clock);
                Assert.Equal(new EventInvokeSettings(null, 100, null, "arn:aws:sqs:us-east-1:123456789012:q"), store.Get("fn")!.Settings);
                Assert.Equal(0, store.Get("fn", "prod")!.Settings.MaximumRetryAttempts);
                Assert.True(store.Delete("fn", null));
                Assert.False(store.Delete("fn", null));
                Assert.Null(store.Get("fn"));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static LambdaStateDatabase Database(string dataDirectory) =>
        new(Options.Create(new RuleEngineOptions { DataDirectory = dataDirectory }), Options.Create(new LambdaEmulatorOptions()));

    [Fact]
    public async Task ApiConfig_ChangesTheRetryBudget_OfTheRunningQueue()
    {
        await using var h = await LambdaHarness.StartAsync("""{"functions":[{"name":"bad","behavior":"fail"}]}""");
        h.Services.GetRequiredService<IEventInvokeConfigStore>().Put("bad", null, new EventInvokeSettings(MaximumRetryAttempts: 0));
        await h.Services.GetRequiredService<ILambdaService>().InvokeAsync(new InvokeRequest
        {
            FunctionName = "bad",
            Caller = new InvokeCaller("203.0.113.9", null, null, null),
        });
        await h.SettleAsync();
        await h.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Single(h.Records("bad", CloudTrailRecord.InvokeExecutionEventName));
    }

    [Fact]
    public async Task AllowIoTFalse_InTheFunctionsFile_Is403_NoRecord_ErrorAction_AndTheFixIsLogged()
    {
        await using var h = await LambdaHarness.StartAsync("""
            {"functions":[{"name":"guarded","allowIoT":false},{"name":"invoke_failed_test"}]}
            """);
        h.AddRule("perm", """
            {"sql":"SELECT * FROM 'p'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:guarded"}}],
             "errorAction":{"lambda":{"functionArn":"invoke_failed_test"}}}
            """);

        await h.PublishAsync("p", "{}");

        Assert.Empty(h.Records("guarded"));
        var errorDocument = Encoding.UTF8.GetString(Assert.Single(h.Invocations().Snapshot()).Event.Span);
        Assert.Contains("Failed to invoke lambda function. Received Server error from Lambda. The error code is 403", errorDocument, StringComparison.Ordinal);
        var diagnosis = Assert.Single(h.Logs.WithEventId(EventIds.PermissionMissing));
        Assert.Equal(
            "aws lambda add-permission --function-name guarded --statement-id iot-perm --action lambda:InvokeFunction --principal iot.amazonaws.com --source-arn arn:aws:iot:us-east-1:123456789012:rule/perm --source-account 123456789012",
            diagnosis["AddPermissionCommand"]);
        Assert.Contains("Missing permission: lambda:InvokeFunction for principal iot.amazonaws.com", diagnosis.Message, StringComparison.Ordinal);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, diagnosis.Level);
    }
}
