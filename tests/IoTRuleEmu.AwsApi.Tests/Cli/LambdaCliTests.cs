using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Lambda.Permissions;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary><c>aws lambda</c> on emulated functions: Invoke, EventInvokeConfig, GetFunction/ListFunctions, permissions.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class LambdaCliTests(SharedEmulator shared)
{
    private readonly ApiEmulator _emu = shared.Emulator;

    private Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(_emu.Endpoint, args);

    private string OutFile(string name) => Path.Combine(_emu.Root, name);

    [Fact]
    public async Task Invoke_RequestResponse_ReturnsThePayload()
    {
        var result = await Aws("lambda", "invoke", "--function-name", "ok_fn", "--payload", "{\"a\":1}", OutFile("ok.json"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(200, result.Json.GetProperty("StatusCode").GetInt32());
        Assert.Equal("$LATEST", result.Json.GetProperty("ExecutedVersion").GetString());
        Assert.False(result.Json.TryGetProperty("FunctionError", out _));
        Assert.Equal("null", await File.ReadAllTextAsync(OutFile("ok.json")));
    }

    [Fact]
    public async Task Invoke_FailingFunction_Is200WithUnhandledFunctionError()
    {
        var result = await Aws("lambda", "invoke", "--function-name", "arn:aws:lambda:us-east-1:123456789012:function:boom_fn",
            "--log-type", "Tail", OutFile("boom.json"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(200, result.Json.GetProperty("StatusCode").GetInt32());
        Assert.Equal("Unhandled", result.Json.GetProperty("FunctionError").GetString());
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(result.Json.GetProperty("LogResult").GetString()!));
        Assert.Contains("intentional failure", log, StringComparison.Ordinal);
        var body = JsonDocument.Parse(await File.ReadAllTextAsync(OutFile("boom.json"))).RootElement;
        Assert.Equal("intentional failure", body.GetProperty("errorMessage").GetString());
        Assert.Equal("Error", body.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Invoke_EventAndDryRun_Return202And204()
    {
        var trail = _emu.Services.GetRequiredService<ICloudTrailLog>();
        var before = trail.Snapshot().Count;
        var evt = await Aws("lambda", "invoke", "--function-name", "ok_fn", "--invocation-type", "Event", "--payload", "{}", OutFile("event.json"));
        Assert.True(evt.ExitCode == 0, evt.ToString());
        Assert.Equal(202, evt.Json.GetProperty("StatusCode").GetInt32());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await trail.WaitForCountAsync(r => r.FunctionArn.EndsWith(":ok_fn", StringComparison.Ordinal) && r.EventName == CloudTrailRecord.InvokeExecutionEventName, 1, cts.Token);
        Assert.True(trail.Snapshot().Count > before);

        await File.WriteAllTextAsync(OutFile("args.json"), "{\"legacy\":true}");
        var legacy = await Aws("lambda", "invoke-async", "--function-name", "ok_fn", "--invoke-args", OutFile("args.json"));
        Assert.True(legacy.ExitCode == 0, legacy.ToString());
        Assert.Equal(202, legacy.Json.GetProperty("Status").GetInt32());

        var dry = await Aws("lambda", "invoke", "--function-name", "ok_fn", "--invocation-type", "DryRun", OutFile("dry.json"));
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(204, dry.Json.GetProperty("StatusCode").GetInt32());
    }

    [Fact]
    public async Task Invoke_Errors_HaveLambdaShapes()
    {
        AwsAssert.CliError(await Aws("lambda", "invoke", "--function-name", "missing_fn", OutFile("m.json")),
            "ResourceNotFoundException", "Invoke", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing_fn:$LATEST");
        AwsAssert.CliError(await Aws("lambda", "invoke", "--function-name", "missing_fn", "--invocation-type", "Event", OutFile("m.json")),
            "ResourceNotFoundException", "Invoke", "Function not found");
        AwsAssert.CliError(await Aws("lambda", "invoke", "--function-name", "ok_fn", "--payload", "not json", OutFile("m.json")),
            "InvalidRequestContentException", "Invoke", "Could not parse request body into json");
        AwsAssert.CliError(await Aws("lambda", "invoke", "--function-name", "arn:aws:lambda:eu-west-1:123456789012:function:ok_fn", OutFile("m.json")),
            "ResourceNotFoundException", "Invoke", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
        AwsAssert.CliError(await Aws("lambda", "invoke", "--function-name", "ok_fn:1", "--qualifier", "2", OutFile("m.json")),
            "InvalidParameterValueException", "Invoke", "The derived qualifier from the function name does not match the specified qualifier.");
    }

    [Fact]
    public async Task ErrorBodies_UseEachExceptionsMessageKeyCasing()
    {
        using var http = new HttpClient();
        using (var missing = await http.PostAsync(_emu.Endpoint + "/2015-03-31/functions/missing_fn/invocations", new StringContent("{}")))
        {
            Assert.Equal("ResourceNotFoundException", missing.Headers.GetValues("x-amzn-ErrorType").Single());
            var body = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("User", body.GetProperty("Type").GetString());
            Assert.True(body.TryGetProperty("Message", out _), "ResourceNotFoundException uses Message");
        }
        using (var bad = await http.PostAsync(_emu.Endpoint + "/2015-03-31/functions/ok_fn/invocations", new StringContent("{bad")))
        {
            Assert.Equal("InvalidRequestContentException", bad.Headers.GetValues("x-amzn-ErrorType").Single());
            var body = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
            Assert.True(body.TryGetProperty("message", out _), "InvalidRequestContentException uses message");
        }
    }

    [Fact]
    public async Task GetFunction_And_ListFunctions()
    {
        var get = await Aws("lambda", "get-function", "--function-name", "boom_fn");
        Assert.True(get.ExitCode == 0, get.ToString());
        var config = get.Json.GetProperty("Configuration");
        Assert.Equal("boom_fn", config.GetProperty("FunctionName").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:boom_fn", config.GetProperty("FunctionArn").GetString());
        Assert.Equal("Active", config.GetProperty("State").GetString());
        AwsAssert.CliError(await Aws("lambda", "get-function", "--function-name", "missing_fn"), "ResourceNotFoundException", "GetFunction", "Function not found");

        var names = (await Aws("lambda", "list-functions")).Json.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()).ToList();
        Assert.Contains("ok_fn", names);
        Assert.Contains("boom_fn", names);
        var paged = (await Aws("lambda", "list-functions", "--page-size", "1")).Json.GetProperty("Functions");
        Assert.Equal(names.Count, paged.GetArrayLength());
    }

    [Fact]
    public async Task EventInvokeConfig_FiveOperations_AndErrors()
    {
        AwsAssert.CliError(await Aws("lambda", "get-function-event-invoke-config", "--function-name", "sink_fn"),
            "ResourceNotFoundException", "GetFunctionEventInvokeConfig", "The function arn:aws:lambda:us-east-1:123456789012:function:sink_fn:$LATEST doesn't have an EventInvokeConfig");
        AwsAssert.CliError(await Aws("lambda", "put-function-event-invoke-config", "--function-name", "sink_fn"),
            "InvalidParameterValueException", "PutFunctionEventInvokeConfig", "You must specify at least one of error handling or destination setting.");
        AwsAssert.CliError(await Aws("lambda", "put-function-event-invoke-config", "--function-name", "missing_fn", "--maximum-retry-attempts", "1"),
            "ResourceNotFoundException", "PutFunctionEventInvokeConfig", "The function doesn't exist.");
        AwsAssert.CliError(await Aws("lambda", "put-function-event-invoke-config", "--function-name", "sink_fn", "--maximum-retry-attempts", "5"),
            "ValidationException", "PutFunctionEventInvokeConfig", "maximumRetryAttempts");
        AwsAssert.CliError(await Aws("lambda", "put-function-event-invoke-config", "--function-name", "sink_fn",
                "--destination-config", "{\"OnFailure\":{\"Destination\":\"arn:aws:lambda:us-east-1:123456789012:function:sink_fn\"}}"),
            "InvalidParameterValueException", "PutFunctionEventInvokeConfig", "You can't specify the function as a destination for itself.");

        var put = await Aws("lambda", "put-function-event-invoke-config", "--function-name", "sink_fn", "--maximum-retry-attempts", "0");
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:sink_fn:$LATEST", put.Json.GetProperty("FunctionArn").GetString());
        Assert.Equal(0, put.Json.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.False(put.Json.TryGetProperty("MaximumEventAgeInSeconds", out _));
        Assert.Equal("{}", put.Json.GetProperty("DestinationConfig").GetProperty("OnSuccess").GetRawText());

        var update = await Aws("lambda", "update-function-event-invoke-config", "--function-name", "sink_fn", "--maximum-event-age-in-seconds", "120");
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal(0, update.Json.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.Equal(120, update.Json.GetProperty("MaximumEventAgeInSeconds").GetInt32());

        var get = (await Aws("lambda", "get-function-event-invoke-config", "--function-name", "sink_fn")).Json;
        Assert.Equal(120, get.GetProperty("MaximumEventAgeInSeconds").GetInt32());
        var list = (await Aws("lambda", "list-function-event-invoke-configs", "--function-name", "sink_fn")).Json.GetProperty("FunctionEventInvokeConfigs");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(0, _emu.Services.GetRequiredService<IEventInvokeConfigStore>().Get("sink_fn")!.Settings.MaximumRetryAttempts);

        var delete = await Aws("lambda", "delete-function-event-invoke-config", "--function-name", "sink_fn");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        AwsAssert.CliError(await Aws("lambda", "delete-function-event-invoke-config", "--function-name", "sink_fn"),
            "ResourceNotFoundException", "DeleteFunctionEventInvokeConfig", "doesn't have an EventInvokeConfig");
        AwsAssert.CliError(await Aws("lambda", "update-function-event-invoke-config", "--function-name", "sink_fn", "--maximum-retry-attempts", "1"),
            "ResourceNotFoundException", "UpdateFunctionEventInvokeConfig", "doesn't have an EventInvokeConfig");
    }

    [Fact]
    public async Task AddPermission_ForIoT_LetsTheRuleInvoke_AndRemovePermissionTakesItBack()
    {
        var policy = _emu.Services.GetRequiredService<IFunctionPolicy>();
        const string ruleArn = "arn:aws:iot:us-east-1:123456789012:rule/perm_rule";
        Assert.False(policy.AllowsInvoke("ok_fn", "iot.amazonaws.com", ruleArn, "123456789012"));

        var add = await Aws("lambda", "add-permission", "--function-name", "ok_fn", "--statement-id", "iot-invoke",
            "--action", "lambda:InvokeFunction", "--principal", "iot.amazonaws.com",
            "--source-arn", "arn:aws:iot:us-east-1:123456789012:rule/perm_*", "--source-account", "123456789012");
        Assert.True(add.ExitCode == 0, add.ToString());
        var statement = JsonDocument.Parse(add.Json.GetProperty("Statement").GetString()!).RootElement;
        Assert.Equal("iot-invoke", statement.GetProperty("Sid").GetString());
        Assert.Equal("iot.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok_fn", statement.GetProperty("Resource").GetString());
        Assert.True(policy.AllowsInvoke("ok_fn", "iot.amazonaws.com", ruleArn, "123456789012"));
        Assert.False(policy.AllowsInvoke("ok_fn", "iot.amazonaws.com", "arn:aws:iot:us-east-1:123456789012:rule/other", "123456789012"));

        var getPolicy = JsonDocument.Parse((await Aws("lambda", "get-policy", "--function-name", "ok_fn")).Json.GetProperty("Policy").GetString()!).RootElement;
        Assert.Equal("iot-invoke", getPolicy.GetProperty("Statement")[0].GetProperty("Sid").GetString());

        AwsAssert.CliError(await Aws("lambda", "add-permission", "--function-name", "ok_fn", "--statement-id", "iot-invoke",
            "--action", "lambda:InvokeFunction", "--principal", "iot.amazonaws.com"), "ResourceConflictException", "AddPermission", "already exists");
        AwsAssert.CliError(await Aws("lambda", "add-permission", "--function-name", "missing_fn", "--statement-id", "s",
            "--action", "lambda:InvokeFunction", "--principal", "iot.amazonaws.com"), "ResourceNotFoundException", "AddPermission", "Function not found");

        var remove = await Aws("lambda", "remove-permission", "--function-name", "ok_fn", "--statement-id", "iot-invoke");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.False(policy.AllowsInvoke("ok_fn", "iot.amazonaws.com", ruleArn, "123456789012"));
        AwsAssert.CliError(await Aws("lambda", "remove-permission", "--function-name", "ok_fn", "--statement-id", "iot-invoke"),
            "ResourceNotFoundException", "RemovePermission", "Statement iot-invoke is not found in resource policy.");
    }

    [Fact]
    public async Task AddPermission_FixesTheRules403_ExactlyAsOnAws()
    {
        var payload = """{"sql":"SELECT * FROM 'locked/in'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:locked_fn"}}],"errorAction":{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:sink_fn"}}}""";
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "locked_rule", "--topic-rule-payload", payload)).ExitCode);
        var trail = _emu.Services.GetRequiredService<ICloudTrailLog>();
        var log = _emu.Services.GetRequiredService<IoTRuleEmu.Lambda.Invocations.IInvocationLog>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Without a permission the rule's Invoke is denied (403): no CloudTrail record, the error action runs.
        Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "locked/in", "--payload", "{\"try\":1}")).ExitCode);
        var errorRun = await log.WaitForAsync(r => r.FunctionName == "sink_fn" && r.RuleName == "locked_rule", cts.Token);
        Assert.Contains("The error code is 403", errorRun.EventText, StringComparison.Ordinal);
        Assert.DoesNotContain(trail.Snapshot(), r => r.FunctionArn.EndsWith(":locked_fn", StringComparison.Ordinal));

        var add = await Aws("lambda", "add-permission", "--function-name", "locked_fn", "--statement-id", "allow-iot-locked-rule",
            "--action", "lambda:InvokeFunction", "--principal", "iot.amazonaws.com",
            "--source-arn", "arn:aws:iot:us-east-1:123456789012:rule/locked_rule", "--source-account", "123456789012");
        Assert.True(add.ExitCode == 0, add.ToString());

        Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "locked/in", "--payload", "{\"try\":2}")).ExitCode);
        var invoked = await log.WaitForAsync(r => r.FunctionName == "locked_fn", cts.Token);
        Assert.Equal("locked_rule", invoked.RuleName);
        Assert.Contains("\"try\":2", invoked.EventText, StringComparison.Ordinal);
        var invoke = await trail.WaitForAsync(r => r.EventName == CloudTrailRecord.InvokeEventName && r.FunctionArn.EndsWith(":locked_fn", StringComparison.Ordinal), cts.Token);
        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/locked_rule", invoke.RequestParameters!.SourceArn);
    }
}
