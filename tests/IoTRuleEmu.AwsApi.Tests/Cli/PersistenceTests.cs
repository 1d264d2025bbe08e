using IoTRuleEmu.AwsApi.Tests.Infrastructure;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>Rules created through the API, Lambda policies and EventInvokeConfigs survive a restart (same <c>--data</c>).</summary>
[Collection(EmulatorCollection.Name)]
public sealed class PersistenceTests
{
    [Fact]
    public async Task ApiRules_AndLambdaState_SurviveARestart()
    {
        var data = Directory.CreateTempSubdirectory("awsapi-data-").FullName;
        try
        {
            string createdAt;
            var first = await ApiEmulator.StartAsync(data);
            try
            {
                var create = await Processes.AwsAsync(first.Endpoint, "iot", "create-topic-rule", "--rule-name", "persisted_rule",
                    "--topic-rule-payload", """{"sql":"SELECT * FROM 'p/q'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}}]}""");
                Assert.True(create.ExitCode == 0, create.ToString());
                Assert.Equal(0, (await Processes.AwsAsync(first.Endpoint, "iot", "disable-topic-rule", "--rule-name", "persisted_rule")).ExitCode);
                createdAt = (await Processes.AwsAsync(first.Endpoint, "iot", "get-topic-rule", "--rule-name", "persisted_rule")).Json
                    .GetProperty("rule").GetProperty("createdAt").GetRawText();
                Assert.Equal(0, (await Processes.AwsAsync(first.Endpoint, "lambda", "add-permission", "--function-name", "ok_fn",
                    "--statement-id", "keep", "--action", "lambda:InvokeFunction", "--principal", "iot.amazonaws.com")).ExitCode);
                Assert.Equal(0, (await Processes.AwsAsync(first.Endpoint, "lambda", "put-function-event-invoke-config",
                    "--function-name", "ok_fn", "--maximum-retry-attempts", "1")).ExitCode);
            }
            finally
            {
                await first.DisposeAsync();
                first.DeleteFiles();
            }

            var second = await ApiEmulator.StartAsync(data);
            try
            {
                var get = await Processes.AwsAsync(second.Endpoint, "iot", "get-topic-rule", "--rule-name", "persisted_rule");
                Assert.True(get.ExitCode == 0, get.ToString());
                var rule = get.Json.GetProperty("rule");
                Assert.Equal("SELECT * FROM 'p/q'", rule.GetProperty("sql").GetString());
                Assert.True(rule.GetProperty("ruleDisabled").GetBoolean());
                Assert.Equal(createdAt, rule.GetProperty("createdAt").GetRawText());
                Assert.True(second.Rules.Current.Find("persisted_rule")!.Disabled);
                // The rule folder's start-up load (as the host does it) did not drop it, and it is still an API rule.
                Assert.NotNull(second.Rules.Current.Find("file_rule"));
                Assert.Equal(0, (await Processes.AwsAsync(second.Endpoint, "iot", "delete-topic-rule", "--rule-name", "persisted_rule")).ExitCode);

                var policy = await Processes.AwsAsync(second.Endpoint, "lambda", "get-policy", "--function-name", "ok_fn");
                Assert.Contains("keep", policy.Json.GetProperty("Policy").GetString(), StringComparison.Ordinal);
                var config = await Processes.AwsAsync(second.Endpoint, "lambda", "get-function-event-invoke-config", "--function-name", "ok_fn");
                Assert.Equal(1, config.Json.GetProperty("MaximumRetryAttempts").GetInt32());
            }
            finally
            {
                await second.DisposeAsync();
                second.DeleteFiles();
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
