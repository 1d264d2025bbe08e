using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.CloudFormation;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Lambda.Permissions;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.AwsApi.Tests.CloudFormation;

/// <summary>A SAM template (a function with an IoTRule event, a Lambda function, topic rules, a permission) drives the emulator.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudFormationTemplateTests
{
    private static string Template => Path.Combine(AppContext.BaseDirectory, "Fixtures", "sam-template.yaml");

    [Fact]
    public async Task SamTemplate_RulesFunctionsAndPermissions_AreLoaded_AndDriveTheEmulator()
    {
        var emu = await ApiEmulator.StartAsync(templates: [Path.GetDirectoryName(Template)!]);
        try
        {
            Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(emu.Endpoint, args);

            var names = (await Aws("iot", "list-topic-rules")).Json.GetProperty("rules").EnumerateArray()
                .Select(r => r.GetProperty("ruleName").GetString()).ToList();
            Assert.Contains("alarm_rule_dev", names);
            Assert.Contains("RepublishRule", names);
            Assert.Contains("ProcessorFunctionTelemetry", names);
            Assert.Contains("file_rule", names);
            Assert.DoesNotContain("broken_rule", names);

            var alarm = (await Aws("iot", "get-topic-rule", "--rule-name", "alarm_rule_dev")).Json;
            var rule = alarm.GetProperty("rule");
            Assert.Equal("SELECT temp, 'dev' AS stage FROM 'sam/alarms' WHERE temp > 30", rule.GetProperty("sql").GetString());
            Assert.Equal("Alarms above 30 degrees", rule.GetProperty("description").GetString());
            Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:FailingFunction",
                rule.GetProperty("actions")[0].GetProperty("lambda").GetProperty("functionArn").GetString());
            Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:processor-dev",
                rule.GetProperty("errorAction").GetProperty("lambda").GetProperty("functionArn").GetString());

            var republish = (await Aws("iot", "get-topic-rule", "--rule-name", "RepublishRule")).Json.GetProperty("rule");
            Assert.True(republish.GetProperty("ruleDisabled").GetBoolean());
            var action = republish.GetProperty("actions")[0].GetProperty("republish");
            Assert.Equal("sam/out/${topic(2)}", action.GetProperty("topic").GetString());
            Assert.Equal("arn:aws:iam::123456789012:role/FunctionRole", action.GetProperty("roleArn").GetString());
            Assert.Equal(1, action.GetProperty("qos").GetInt32());

            // The bad rule is reported naming the template, the resource and the position.
            var problems = emu.Startup.Templates.SelectMany(t => t.Errors).ToList();
            var broken = Assert.Single(problems, p => p.Contains("[BrokenRule]", StringComparison.Ordinal));
            Assert.Contains(Template, broken, StringComparison.Ordinal);
            Assert.Contains("SqlParseException", broken, StringComparison.Ordinal);
            Assert.Contains("line 1, column", broken, StringComparison.Ordinal);

            // Functions of the template are emulated functions.
            var fn = (await Aws("lambda", "get-function", "--function-name", "processor-dev")).Json.GetProperty("Configuration");
            Assert.Equal("python3.12", fn.GetProperty("Runtime").GetString());
            Assert.Equal(10, fn.GetProperty("Timeout").GetInt32());
            Assert.Equal(256, fn.GetProperty("MemorySize").GetInt32());
            var failing = await Aws("lambda", "invoke", "--function-name", "FailingFunction", Path.Combine(emu.Root, "f.json"));
            Assert.Equal("Unhandled", failing.Json.GetProperty("FunctionError").GetString());
            Assert.Contains("template failure", await File.ReadAllTextAsync(Path.Combine(emu.Root, "f.json")), StringComparison.Ordinal);

            // Permissions: the explicit one and SAM's implicit one for the IoTRule event.
            var policy = emu.Services.GetRequiredService<IFunctionPolicy>();
            Assert.True(policy.AllowsInvoke("FailingFunction", "iot.amazonaws.com", "arn:aws:iot:us-east-1:123456789012:rule/alarm_rule_dev", "123456789012"));
            Assert.True(policy.AllowsInvoke("processor-dev", "iot.amazonaws.com", "arn:aws:iot:us-east-1:123456789012:rule/ProcessorFunctionTelemetry", "123456789012"));

            // Template rules are read-only through the API.
            var delete = await Aws("iot", "delete-topic-rule", "--rule-name", "alarm_rule_dev");
            AwsAssert.CliError(delete, "InvalidRequestException", "DeleteTopicRule", "CloudFormation template");
            Assert.Contains("AlarmRule", delete.Stderr, StringComparison.Ordinal);

            // Messages flow through the template's rules.
            Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "sam/d7/telemetry", "--payload", "{\"v\":1}")).ExitCode);
            Assert.Equal(0, (await Aws("iot-data", "publish", "--topic", "sam/alarms", "--payload", "{\"temp\":35}")).ExitCode);
            var log = emu.Services.GetRequiredService<IInvocationLog>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var telemetry = await log.WaitForAsync(r => r.RuleName == "ProcessorFunctionTelemetry", cts.Token);
            Assert.Equal("processor-dev", telemetry.FunctionName);
            Assert.Equal("d7", JsonDocument.Parse(telemetry.EventText).RootElement.GetProperty("device").GetString());
            var alarmRun = await log.WaitForAsync(r => r.RuleName == "alarm_rule_dev", cts.Token);
            Assert.Equal("FailingFunction", alarmRun.FunctionName);
            Assert.Equal("dev", JsonDocument.Parse(alarmRun.EventText).RootElement.GetProperty("stage").GetString());
        }
        finally
        {
            await emu.DisposeAsync();
            emu.DeleteFiles();
        }
    }

    [Fact]
    public void JsonTemplate_LongFormIntrinsics_AreResolved()
    {
        var dir = Directory.CreateTempSubdirectory("cfn-json-").FullName;
        try
        {
            var path = Path.Combine(dir, "stack.json");
            File.WriteAllText(path, """
                {
                  "Parameters": { "Prefix": { "Type": "String", "Default": "plant" } },
                  "Resources": {
                    "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "FunctionName": { "Fn::Join": ["-", [{ "Ref": "Prefix" }, "fn"]] } } },
                    "Rule": { "Type": "AWS::IoT::TopicRule", "Properties": { "TopicRulePayload": {
                      "Sql": { "Fn::Sub": ["SELECT * FROM '${P}/${AWS::Region}'", { "P": { "Ref": "Prefix" } }] },
                      "Actions": [ { "Lambda": { "FunctionArn": { "Fn::Sub": "${Fn.Arn}" } } } ] } } },
                    "Unsupported": { "Type": "AWS::IoT::TopicRule", "Properties": { "TopicRulePayload": {
                      "Sql": { "Fn::ImportValue": "x" }, "Actions": [] } } }
                  }
                }
                """);
            var result = CloudFormationLoader.Load(path, "eu-west-1", "111122223333");
            var rule = Assert.Single(result.Rules);
            Assert.Equal("Rule", rule.RuleName);
            Assert.Equal("SELECT * FROM 'plant/eu-west-1'", rule.Payload.Sql);
            Assert.Equal("arn:aws:lambda:eu-west-1:111122223333:function:plant-fn", rule.Payload.Actions[0].Body.GetProperty("functionArn").GetString());
            Assert.Equal("plant-fn", Assert.Single(result.Functions).Definition.Name);
            var error = Assert.Single(result.Errors);
            Assert.Contains("[Unsupported]", error, StringComparison.Ordinal);
            Assert.Contains("Fn::ImportValue", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void YamlShortForms_BecomeLongForms()
    {
        var template = TemplateReader.Parse("""
            Resources:
              A:
                Type: AWS::IoT::TopicRule
                Properties:
                  X: !Ref Foo
                  Y: !GetAtt Bar.Arn
                  Z: !Join [",", [a, !Sub "${AWS::Region}"]]
                  N: 5
                  B: true
                  S: '5'
                  V: 2016-03-23
            """, "inline");
        var p = template["Resources"]!["A"]!["Properties"]!;
        Assert.Equal("""{"Ref":"Foo"}""", p["X"]!.ToJsonString());
        Assert.Equal("""{"Fn::GetAtt":["Bar","Arn"]}""", p["Y"]!.ToJsonString());
        Assert.Equal("""{"Fn::Join":[",",["a",{"Fn::Sub":"${AWS::Region}"}]]}""", p["Z"]!.ToJsonString());
        Assert.Equal(JsonValueKind.Number, p["N"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, p["B"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, p["S"]!.GetValueKind());
        Assert.Equal("2016-03-23", p["V"]!.GetValue<string>());
        _ = (JsonObject)template;
    }
}
