using System.Net;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Iot;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>The IoT topic-rule operations through the real AWS CLI: parsed output, exit codes, every error case.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class IotRuleCliTests(SharedEmulator shared)
{
    private readonly ApiEmulator _emu = shared.Emulator;

    private Task<ProcessResult> Aws(params string[] args) => Processes.AwsAsync(_emu.Endpoint, args);

    private static string Payload(string sql, bool disabled = false, string? version = null, string actions = "[]") =>
        $$"""{"sql":{{JsonSerializer.Serialize(sql)}},"actions":{{actions}},"ruleDisabled":{{(disabled ? "true" : "false")}}{{(version is null ? "" : $",\"awsIotSqlVersion\":\"{version}\"")}},"description":"d"}""";

    [Fact]
    public async Task CreateGetReplaceDisableEnableDelete_RoundTrip()
    {
        var create = await Aws("iot", "create-topic-rule", "--rule-name", "cli_round_trip",
            "--topic-rule-payload", Payload("SELECT temp FROM 'rt/+/data' WHERE temp > 20", actions: """[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}}]"""));
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal("", create.Stdout);

        var get = await Aws("iot", "get-topic-rule", "--rule-name", "cli_round_trip");
        Assert.True(get.ExitCode == 0, get.ToString());
        var json = get.Json;
        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/cli_round_trip", json.GetProperty("ruleArn").GetString());
        var rule = json.GetProperty("rule");
        Assert.Equal("cli_round_trip", rule.GetProperty("ruleName").GetString());
        Assert.Equal("SELECT temp FROM 'rt/+/data' WHERE temp > 20", rule.GetProperty("sql").GetString());
        Assert.Equal("d", rule.GetProperty("description").GetString());
        Assert.False(rule.GetProperty("ruleDisabled").GetBoolean());
        Assert.Equal("2015-10-08", rule.GetProperty("awsIotSqlVersion").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok_fn",
            rule.GetProperty("actions")[0].GetProperty("lambda").GetProperty("functionArn").GetString());
        Assert.True(rule.TryGetProperty("createdAt", out _));

        var replace = await Aws("iot", "replace-topic-rule", "--rule-name", "cli_round_trip",
            "--topic-rule-payload", Payload("SELECT * FROM 'rt/replaced'", version: "2016-03-23"));
        Assert.True(replace.ExitCode == 0, replace.ToString());
        rule = (await Aws("iot", "get-topic-rule", "--rule-name", "cli_round_trip")).Json.GetProperty("rule");
        Assert.Equal("SELECT * FROM 'rt/replaced'", rule.GetProperty("sql").GetString());
        Assert.Equal("2016-03-23", rule.GetProperty("awsIotSqlVersion").GetString());
        Assert.Equal(0, rule.GetProperty("actions").GetArrayLength());

        Assert.Equal(0, (await Aws("iot", "disable-topic-rule", "--rule-name", "cli_round_trip")).ExitCode);
        Assert.True((await Aws("iot", "get-topic-rule", "--rule-name", "cli_round_trip")).Json.GetProperty("rule").GetProperty("ruleDisabled").GetBoolean());
        Assert.True(_emu.Rules.Current.Find("cli_round_trip")!.Disabled);
        Assert.Equal(0, (await Aws("iot", "enable-topic-rule", "--rule-name", "cli_round_trip")).ExitCode);
        Assert.False(_emu.Rules.Current.Find("cli_round_trip")!.Disabled);

        var delete = await Aws("iot", "delete-topic-rule", "--rule-name", "cli_round_trip");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Null(_emu.Rules.Current.Find("cli_round_trip"));
        Assert.False(File.Exists(Path.Combine(_emu.DataDirectory, ApiRuleRepository.FolderName, "cli_round_trip.json")));
    }

    [Fact]
    public async Task CreateTopicRule_BadSql_IsSqlParseExceptionNamingThePosition()
    {
        var result = await Aws("iot", "create-topic-rule", "--rule-name", "cli_bad_sql",
            "--topic-rule-payload", Payload("SELECT * FORM 'a/b'"));
        AwsAssert.CliError(result, "SqlParseException", "CreateTopicRule", "line 1, column 10");
        Assert.Null(_emu.Rules.Current.Find("cli_bad_sql"));

        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "cli_bad_sql_replace", "--topic-rule-payload", Payload("SELECT * FROM 'a'"))).ExitCode);
        var replace = await Aws("iot", "replace-topic-rule", "--rule-name", "cli_bad_sql_replace", "--topic-rule-payload", Payload("SELECT FROM WHERE"));
        AwsAssert.CliError(replace, "SqlParseException", "ReplaceTopicRule", "line 1, column");
        Assert.Equal("SELECT * FROM 'a'", _emu.Rules.Current.Find("cli_bad_sql_replace")!.Config.Sql);
    }

    [Fact]
    public async Task CreateTopicRule_InvalidNameOrElevenActions_IsInvalidRequestException()
    {
        var badName = await Aws("iot", "create-topic-rule", "--rule-name", "bad-name", "--topic-rule-payload", Payload("SELECT * FROM 'a'"));
        AwsAssert.CliError(badName, "InvalidRequestException", "CreateTopicRule", "1 validation error detected: Value 'bad-name' at 'ruleName'");

        var actions = "[" + string.Join(',', Enumerable.Repeat("""{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}}""", 11)) + "]";
        var tooMany = await Aws("iot", "create-topic-rule", "--rule-name", "cli_eleven", "--topic-rule-payload", Payload("SELECT * FROM 'a'", actions: actions));
        AwsAssert.CliError(tooMany, "InvalidRequestException", "CreateTopicRule", "Member must have length less than or equal to 10");

        var badVersion = await Aws("iot", "create-topic-rule", "--rule-name", "cli_bad_version", "--topic-rule-payload", Payload("SELECT * FROM 'a'", version: "2020-01-01"));
        AwsAssert.CliError(badVersion, "InvalidRequestException", "CreateTopicRule", "awsIotSqlVersion");
    }

    [Fact]
    public async Task CreateTopicRule_Duplicate_IsResourceAlreadyExistsException()
    {
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "cli_dup", "--topic-rule-payload", Payload("SELECT * FROM 'a'"))).ExitCode);
        var again = await Aws("iot", "create-topic-rule", "--rule-name", "cli_dup", "--topic-rule-payload", Payload("SELECT * FROM 'a'"));
        AwsAssert.CliError(again, "ResourceAlreadyExistsException", "CreateTopicRule");

        var fileRule = await Aws("iot", "create-topic-rule", "--rule-name", "file_rule", "--topic-rule-payload", Payload("SELECT * FROM 'a'"));
        AwsAssert.CliError(fileRule, "ResourceAlreadyExistsException", "CreateTopicRule");
    }

    [Theory]
    [InlineData("get-topic-rule", "GetTopicRule")]
    [InlineData("delete-topic-rule", "DeleteTopicRule")]
    [InlineData("enable-topic-rule", "EnableTopicRule")]
    [InlineData("disable-topic-rule", "DisableTopicRule")]
    public async Task MissingRule_IsUnauthorizedException(string command, string operation)
    {
        var result = await Aws("iot", command, "--rule-name", "no_such_rule");
        AwsAssert.CliError(result, "UnauthorizedException", operation, "Access to topic rule 'no_such_rule' was denied");
    }

    [Fact]
    public async Task ReplaceMissingRule_IsUnauthorizedException()
    {
        var result = await Aws("iot", "replace-topic-rule", "--rule-name", "no_such_rule", "--topic-rule-payload", Payload("SELECT * FROM 'a'"));
        AwsAssert.CliError(result, "UnauthorizedException", "ReplaceTopicRule", "Access to topic rule 'no_such_rule' was denied");
    }

    [Fact]
    public async Task ListTopicRules_FiltersByTopicAndDisabled_AndPages()
    {
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "cli_list_a", "--topic-rule-payload", Payload("SELECT * FROM 'list/topic'"))).ExitCode);
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "cli_list_b", "--topic-rule-payload", Payload("SELECT * FROM 'list/topic'", disabled: true))).ExitCode);
        Assert.Equal(0, (await Aws("iot", "create-topic-rule", "--rule-name", "cli_list_c", "--topic-rule-payload", Payload("SELECT * FROM 'list/other'"))).ExitCode);

        var byTopic = (await Aws("iot", "list-topic-rules", "--topic", "list/topic")).Json.GetProperty("rules");
        Assert.Equal(new[] { "cli_list_a", "cli_list_b" }, byTopic.EnumerateArray().Select(r => r.GetProperty("ruleName").GetString()!).ToArray());
        var item = byTopic[1];
        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/cli_list_b", item.GetProperty("ruleArn").GetString());
        Assert.Equal("list/topic", item.GetProperty("topicPattern").GetString());
        Assert.True(item.GetProperty("ruleDisabled").GetBoolean());
        Assert.True(item.TryGetProperty("createdAt", out _));

        var disabled = (await Aws("iot", "list-topic-rules", "--topic", "list/topic", "--rule-disabled")).Json.GetProperty("rules");
        Assert.Equal("cli_list_b", Assert.Single(disabled.EnumerateArray()).GetProperty("ruleName").GetString());

        // One page by hand, then let the CLI's paginator walk every page of size 1.
        var page = await Aws("iot", "list-topic-rules", "--no-paginate", "--max-results", "1", "--topic", "list/topic");
        Assert.True(page.ExitCode == 0, page.ToString());
        Assert.Single(page.Json.GetProperty("rules").EnumerateArray());
        var token = page.Json.GetProperty("nextToken").GetString()!;
        var second = (await Aws("iot", "list-topic-rules", "--no-paginate", "--max-results", "1", "--topic", "list/topic", "--next-token", token)).Json;
        Assert.Equal("cli_list_b", second.GetProperty("rules")[0].GetProperty("ruleName").GetString());
        Assert.False(second.TryGetProperty("nextToken", out _));
        var walked = (await Aws("iot", "list-topic-rules", "--page-size", "1")).Json.GetProperty("rules");
        Assert.Contains(walked.EnumerateArray(), r => r.GetProperty("ruleName").GetString() == "cli_list_c");

        var badToken = await Aws("iot", "list-topic-rules", "--no-paginate", "--next-token", "not-a-token!");
        AwsAssert.CliError(badToken, "InvalidRequestException", "ListTopicRules", "nextToken");
    }

    [Fact]
    public async Task RuleFromRulesFolder_IsListed_ButCannotBeChanged()
    {
        var list = (await Aws("iot", "list-topic-rules")).Json.GetProperty("rules");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("ruleName").GetString() == "file_rule");
        var get = (await Aws("iot", "get-topic-rule", "--rule-name", "file_rule")).Json.GetProperty("rule");
        Assert.Equal("from a rule file", get.GetProperty("description").GetString());

        var file = Path.Combine(_emu.RulesDirectory, "file_rule.json");
        foreach (var args in new[]
        {
            new[] { "iot", "delete-topic-rule", "--rule-name", "file_rule" },
            ["iot", "disable-topic-rule", "--rule-name", "file_rule"],
            ["iot", "replace-topic-rule", "--rule-name", "file_rule", "--topic-rule-payload", Payload("SELECT * FROM 'x'")],
        })
        {
            var result = await Aws(args);
            Assert.Equal(AwsAssert.ServiceErrorExitCode, result.ExitCode);
            Assert.Contains("(InvalidRequestException)", result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"defined by the rule file '{file}'", result.Stderr, StringComparison.Ordinal);
        }
        Assert.NotNull(_emu.Rules.Current.Find("file_rule"));
    }

    [Fact]
    public async Task WrongRegion_IsInvalidSignatureException()
    {
        var result = await Processes.AwsInRegionAsync(_emu.Endpoint, "eu-west-1", "iot", "list-topic-rules");
        AwsAssert.CliError(result, "InvalidSignatureException", "ListTopicRules", "Credential should be scoped to a valid region, not 'eu-west-1'.");
    }

    [Fact]
    public async Task MalformedJsonBody_IsInvalidRequestException_NotA500()
    {
        using var http = new HttpClient();
        using var content = new StringContent("{\"sql\": ", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(_emu.Endpoint + "/rules/raw_bad_json", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidRequestException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("Could not parse the request body as JSON", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
