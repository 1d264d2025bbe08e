using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Testing;

namespace IoTRuleEmu.AwsApi.Tests.Parity;

/// <summary>
/// Runs the same IoT rule CLI commands against moto_server and the emulator and compares the answers' shapes field by
/// field. Where moto departs from AWS, AWS wins and the test says so:
/// <list type="bullet">
/// <item>moto's default <c>awsIotSqlVersion</c> is 2016-03-23; AWS's (and the emulator's) is 2015-10-08.</item>
/// <item>moto writes <c>"errorAction": {}</c> for a rule without one; AWS omits unset members, so does the emulator.</item>
/// <item>moto answers a missing rule with ResourceNotFoundException; AWS with UnauthorizedException "Access to topic rule 'x' was denied".</item>
/// <item>moto accepts SQL it cannot parse; AWS answers SqlParseException.</item>
/// </list>
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class MotoParityTests(SharedEmulator shared) : IAsyncLifetime
{
    private MotoServer? _moto;
    private string _motoEndpoint = "";

    public async Task InitializeAsync()
    {
        _moto = await MotoServer.StartAsync();
        _motoEndpoint = _moto.Url;
    }

    public async Task DisposeAsync()
    {
        if (_moto is not null)
        {
            await _moto.DisposeAsync();
        }
    }

    private async Task<(ProcessResult Moto, ProcessResult Emulator)> Both(params string[] args) =>
        (await Processes.AwsAsync(_motoEndpoint, args), await Processes.AwsAsync(shared.Emulator.Endpoint, args));

    [Fact]
    public async Task TopicRuleCommands_HaveTheSameShapes_ExceptWhereMotoDiffersFromAws()
    {
        const string payload = """{"sql":"SELECT temp FROM 'parity/+/t' WHERE temp > 1","description":"parity","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}}],"ruleDisabled":false}""";
        var create = await Both("iot", "create-topic-rule", "--rule-name", "parity_rule", "--topic-rule-payload", payload);
        Assert.Equal(create.Moto.ExitCode, create.Emulator.ExitCode);
        Assert.Equal(create.Moto.Stdout, create.Emulator.Stdout);

        var get = await Both("iot", "get-topic-rule", "--rule-name", "parity_rule");
        Assert.Equal(0, get.Emulator.ExitCode);
        AssertSameShape(get.Moto.Json, get.Emulator.Json, "$",
            ignore: ["$.rule.errorAction"]); // moto: "errorAction": {} although none was given; AWS omits it.
        var motoRule = get.Moto.Json.GetProperty("rule");
        var emuRule = get.Emulator.Json.GetProperty("rule");
        foreach (var field in new[] { "ruleName", "sql", "description", "ruleDisabled", "actions" })
        {
            Assert.Equal(motoRule.GetProperty(field).GetRawText(), emuRule.GetProperty(field).GetRawText());
        }
        Assert.Equal(get.Moto.Json.GetProperty("ruleArn").GetString(), get.Emulator.Json.GetProperty("ruleArn").GetString());
        // AWS wins: the default SQL version is 2015-10-08 (moto says 2016-03-23).
        Assert.Equal("2015-10-08", emuRule.GetProperty("awsIotSqlVersion").GetString());
        Assert.Equal(JsonValueKind.Number, motoRule.GetProperty("createdAt").ValueKind);
        Assert.Equal(JsonValueKind.Number, emuRule.GetProperty("createdAt").ValueKind);

        var list = await Both("iot", "list-topic-rules", "--topic", "parity/+/t");
        var motoItem = Assert.Single(list.Moto.Json.GetProperty("rules").EnumerateArray());
        var emuItem = Assert.Single(list.Emulator.Json.GetProperty("rules").EnumerateArray());
        AssertSameShape(motoItem, emuItem, "$.rules[0]");
        foreach (var field in new[] { "ruleArn", "ruleName", "topicPattern", "ruleDisabled" })
        {
            Assert.Equal(motoItem.GetProperty(field).GetRawText(), emuItem.GetProperty(field).GetRawText());
        }

        var disable = await Both("iot", "disable-topic-rule", "--rule-name", "parity_rule");
        Assert.Equal(disable.Moto.ExitCode, disable.Emulator.ExitCode);
        var disabled = await Both("iot", "get-topic-rule", "--rule-name", "parity_rule");
        Assert.Equal(disabled.Moto.Json.GetProperty("rule").GetProperty("ruleDisabled").GetBoolean(),
            disabled.Emulator.Json.GetProperty("rule").GetProperty("ruleDisabled").GetBoolean());

        var replace = await Both("iot", "replace-topic-rule", "--rule-name", "parity_rule", "--topic-rule-payload",
            """{"sql":"SELECT * FROM 'parity/replaced'","actions":[],"awsIotSqlVersion":"2016-03-23"}""");
        Assert.Equal(replace.Moto.ExitCode, replace.Emulator.ExitCode);
        var replaced = await Both("iot", "get-topic-rule", "--rule-name", "parity_rule");
        Assert.Equal(replaced.Moto.Json.GetProperty("rule").GetProperty("sql").GetString(), replaced.Emulator.Json.GetProperty("rule").GetProperty("sql").GetString());
        Assert.Equal("2016-03-23", replaced.Emulator.Json.GetProperty("rule").GetProperty("awsIotSqlVersion").GetString());

        var duplicate = await Both("iot", "create-topic-rule", "--rule-name", "parity_rule", "--topic-rule-payload", payload);
        AwsAssert.CliError(duplicate.Moto, "ResourceAlreadyExistsException", "CreateTopicRule");
        AwsAssert.CliError(duplicate.Emulator, "ResourceAlreadyExistsException", "CreateTopicRule", "Rule with given name already exists");

        var delete = await Both("iot", "delete-topic-rule", "--rule-name", "parity_rule");
        Assert.Equal(0, delete.Moto.ExitCode);
        Assert.Equal(0, delete.Emulator.ExitCode);

        // AWS wins: a missing rule is UnauthorizedException (moto: ResourceNotFoundException).
        var missing = await Both("iot", "get-topic-rule", "--rule-name", "parity_rule");
        AwsAssert.CliError(missing.Moto, "ResourceNotFoundException", "GetTopicRule");
        AwsAssert.CliError(missing.Emulator, "UnauthorizedException", "GetTopicRule", "Access to topic rule 'parity_rule' was denied");

        // AWS wins: unparseable SQL is SqlParseException (moto stores it).
        var badSql = await Both("iot", "create-topic-rule", "--rule-name", "parity_bad_sql", "--topic-rule-payload", """{"sql":"SELECT * FORM 'x'","actions":[]}""");
        Assert.Equal(0, badSql.Moto.ExitCode);
        AwsAssert.CliError(badSql.Emulator, "SqlParseException", "CreateTopicRule");
    }

    /// <summary>Same members with the same JSON kinds, recursively (arrays: their first items).</summary>
    private static void AssertSameShape(JsonElement moto, JsonElement emulator, string path, string[]? ignore = null)
    {
        if (ignore?.Contains(path) == true)
        {
            return;
        }
        Assert.True(KindOf(moto) == KindOf(emulator), $"{path}: moto has {moto.ValueKind}, the emulator {emulator.ValueKind}");
        if (moto.ValueKind == JsonValueKind.Object)
        {
            var motoNames = moto.EnumerateObject().Select(p => p.Name).Where(n => ignore?.Contains($"{path}.{n}") != true).Order().ToList();
            var emuNames = emulator.EnumerateObject().Select(p => p.Name).Where(n => ignore?.Contains($"{path}.{n}") != true).Order().ToList();
            Assert.True(motoNames.SequenceEqual(emuNames), $"{path}: moto has [{string.Join(", ", motoNames)}], the emulator [{string.Join(", ", emuNames)}]");
            foreach (var name in motoNames)
            {
                AssertSameShape(moto.GetProperty(name), emulator.GetProperty(name), $"{path}.{name}", ignore);
            }
        }
        else if (moto.ValueKind == JsonValueKind.Array && moto.GetArrayLength() > 0 && emulator.GetArrayLength() > 0)
        {
            AssertSameShape(moto[0], emulator[0], $"{path}[0]", ignore);
        }
    }

    private static JsonValueKind KindOf(JsonElement e) => e.ValueKind == JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
}
