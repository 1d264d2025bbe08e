using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Lambda.CloudTrail;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>The end-to-end path (create a rule, publish, find the Invoke) and LookupEvents' errors.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudTrailCliTests(SharedEmulator shared)
{
    private readonly ApiEmulator _emu = shared.Emulator;

    private Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(_emu.Endpoint, args);

    [Fact]
    public async Task CreateRule_Publish_LookupEventsFindsTheInvoke()
    {
        var payload = """{"sql":"SELECT * FROM 'e2e/+/events'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}}]}""";
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "e2e_rule", "--topic-rule-payload", payload)).ExitCode);
        var publish = await Aws("iot-data", "publish", "--topic", "e2e/d1/events", "--payload", "{\"n\":1}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _emu.Services.GetRequiredService<ICloudTrailLog>().WaitForAsync(
            r => r.EventName == CloudTrailRecord.InvokeExecutionEventName && r.FunctionArn.EndsWith(":ok_fn", StringComparison.Ordinal), cts.Token);

        var lookup = await Aws("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=Invoke");
        Assert.True(lookup.ExitCode == 0, lookup.ToString());
        var invoke = lookup.Json.GetProperty("Events").EnumerateArray()
            .Select(e => (Event: e, Record: JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!).RootElement))
            .First(x => x.Record.GetProperty("requestParameters").GetProperty("sourceArn").GetString() == "arn:aws:iot:us-east-1:123456789012:rule/e2e_rule");
        Assert.Equal("Invoke", invoke.Event.GetProperty("EventName").GetString());
        Assert.Equal("false", invoke.Event.GetProperty("ReadOnly").GetString());
        Assert.Equal("lambda.amazonaws.com", invoke.Event.GetProperty("EventSource").GetString());
        Assert.Equal("AWS::Lambda::Function", invoke.Event.GetProperty("Resources")[0].GetProperty("ResourceType").GetString());
        Assert.Equal("iot.amazonaws.com", invoke.Record.GetProperty("userIdentity").GetProperty("invokedBy").GetString());
        Assert.Equal("Event", invoke.Record.GetProperty("requestParameters").GetProperty("invocationType").GetString());

        // The same Invoke by resource name, newest first, within a time range.
        var byResource = await Aws("cloudtrail", "lookup-events", "--start-time", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
            "--end-time", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"),
            "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=arn:aws:lambda:us-east-1:123456789012:function:ok_fn");
        var events = byResource.Json.GetProperty("Events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("EventId").GetString() == invoke.Event.GetProperty("EventId").GetString());
        var page = await Aws("cloudtrail", "lookup-events", "--no-paginate", "--max-results", "1");
        Assert.Single(page.Json.GetProperty("Events").EnumerateArray());
        Assert.True(page.Json.TryGetProperty("NextToken", out _));
    }

    [Fact]
    public async Task LookupEvents_Errors_AreJson11Shapes()
    {
        AwsAssert.CliError(await Aws("cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=Invoke", "AttributeKey=EventSource,AttributeValue=lambda.amazonaws.com"),
            "InvalidLookupAttributesException", "LookupEvents");
        AwsAssert.CliError(await Aws("cloudtrail", "lookup-events", "--start-time", "2026-01-02T00:00:00Z", "--end-time", "2026-01-01T00:00:00Z"),
            "InvalidTimeRangeException", "LookupEvents");
        AwsAssert.CliError(await Aws("cloudtrail", "lookup-events", "--no-paginate", "--max-results", "51"),
            "InvalidMaxResultsException", "LookupEvents");
        AwsAssert.CliError(await Aws("cloudtrail", "lookup-events", "--no-paginate", "--next-token", "bogus"),
            "InvalidNextTokenException", "LookupEvents");
        AwsAssert.CliError(await Processes.AwsInRegionAsync(_emu.Endpoint, "us-west-2", "cloudtrail", "lookup-events"),
            "InvalidSignatureException", "LookupEvents", "not 'us-west-2'");
    }
}
