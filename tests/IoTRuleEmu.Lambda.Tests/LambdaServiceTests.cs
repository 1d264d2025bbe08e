using System.Text;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests;

public sealed class LambdaServiceTests : IAsyncLifetime
{
    private EmulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await LambdaHarness.StartAsync();

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    private ILambdaService Lambda => _h.Services.GetRequiredService<ILambdaService>();

    private static InvokeRequest Request(string name, string payload = "{}") => new()
    {
        FunctionName = name,
        Payload = Encoding.UTF8.GetBytes(payload),
        Caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"),
    };

    [Theory]
    [InlineData("invoke_failed_test")]
    [InlineData("invoke_failed_test:$LATEST")]
    [InlineData("123456789012:function:invoke_failed_test")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:invoke_failed_test")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:invoke_failed_test:$LATEST")]
    public async Task Invoke_AcceptedForms_Return202WithTheRecordsRequestId(string name)
    {
        var result = await Lambda.InvokeAsync(Request(name));

        Assert.Equal(202, result.StatusCode);
        Assert.True(result.Succeeded);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:invoke_failed_test", result.FunctionArn);
        var invoke = Assert.Single(_h.CloudTrail().Snapshot(), r => r.EventName == CloudTrailRecord.InvokeEventName);
        Assert.Equal(result.RequestId, invoke.RequestId);
        Assert.Equal(name, invoke.RequestParameters!.FunctionName);
        await _h.SettleAsync();
        Assert.Equal(result.RequestId, Assert.Single(_h.Invocations().Snapshot()).RequestId);
    }

    [Theory]
    [InlineData("nope", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST")]
    [InlineData("invoke_test:prod", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:invoke_test:prod")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:invoke_test", 404, "ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")]
    [InlineData("arn:aws:lambda:us-east-1:999999999999:function:invoke_test", 403, "AccessDeniedException", "User: iot.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:999999999999:function:invoke_test because no resource-based policy allows the lambda:InvokeFunction action")]
    public async Task Invoke_Failures_LeaveNoRecord(string name, int status, string code, string message)
    {
        var result = await Lambda.InvokeAsync(Request(name));

        Assert.Equal((status, code, message), (result.StatusCode, result.ErrorCode, result.ErrorMessage));
        Assert.False(result.Succeeded);
        await _h.SettleAsync();
        Assert.Empty(_h.CloudTrail().Snapshot());
        Assert.Empty(_h.Invocations().Snapshot());
    }

    [Fact]
    public async Task Invoke_BadName_IsAValidationError()
    {
        var result = await Lambda.InvokeAsync(Request("bad name!"));
        Assert.Equal((400, "ValidationException"), (result.StatusCode, result.ErrorCode));
    }

    [Fact]
    public async Task Invoke_NonJsonPayload_IsInvalidRequestContent()
    {
        var result = await Lambda.InvokeAsync(Request("invoke_test", "not json"));
        Assert.Equal((400, "InvalidRequestContentException"), (result.StatusCode, result.ErrorCode));
        Assert.StartsWith("Could not parse request body into json", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_TooLargePayload_Is413()
    {
        var big = "\"" + new string('x', 1024 * 1024) + "\"";
        var result = await Lambda.InvokeAsync(Request("invoke_test", big));
        Assert.Equal((413, "RequestEntityTooLargeException"), (result.StatusCode, result.ErrorCode));
        Assert.Equal($"{big.Length} byte payload is too large for the Event invocation type (limit 1048576 bytes)", result.ErrorMessage);
    }

    [Fact]
    public async Task Invoke_EmptyPayload_IsAcceptedAndLoggedAsEmptyObject()
    {
        var result = await Lambda.InvokeAsync(Request("invoke_failed_test", ""));
        Assert.Equal(202, result.StatusCode);
        await _h.SettleAsync();
        var lines = await _h.ReadJsonLinesAsync("invocations.jsonl");
        Assert.Equal("{}", Assert.Single(lines).GetProperty("event").GetRawText());
    }

    [Fact]
    public async Task Invoke_FunctionRemovedBeforeRetry_DropsTheEvent()
    {
        var result = await Lambda.InvokeAsync(Request("invoke_test"));
        await _h.SettleAsync();
        _h.Functions().Replace([]);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(60));

        Assert.Single(_h.CloudTrail().Snapshot(), r => r.EventName == CloudTrailRecord.InvokeExecutionEventName);
        var dropped = Assert.Single(_h.Logs.WithEventId(Engine.Logging.EventIds.EventDropped));
        Assert.Equal(result.RequestId, dropped["RequestId"]);
        Assert.Equal(0, _h.LambdaQueue().ScheduledRetries);
    }
}
