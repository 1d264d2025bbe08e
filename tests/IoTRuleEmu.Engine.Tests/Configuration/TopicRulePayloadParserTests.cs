using IoTRuleEmu.Engine.Configuration;

namespace IoTRuleEmu.Engine.Tests.Configuration;

public class TopicRulePayloadParserTests
{
    [Fact]
    public void Parse_FullDocument_ReadsEveryField()
    {
        var payload = TopicRulePayloadParser.Parse("""
            {
              "sql": "SELECT * FROM 'iot/test'",
              "description": "demo",
              "ruleDisabled": true,
              "awsIotSqlVersion": "2016-03-23",
              "actions": [ { "lambda": { "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:a" } },
                           { "republish": { "roleArn": "arn:aws:iam::123456789012:role/r", "topic": "out" } } ],
              "errorAction": { "lambda": { "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:b" } }
            }
            """, "r.json");

        Assert.Equal("SELECT * FROM 'iot/test'", payload.Sql);
        Assert.Equal("demo", payload.Description);
        Assert.True(payload.RuleDisabled);
        Assert.Equal("2016-03-23", payload.AwsIotSqlVersion);
        Assert.Equal(["lambda", "republish"], payload.Actions.Select(a => a.Key));
        Assert.Equal("actions[1].republish", payload.Actions[1].Path);
        Assert.Equal("out", payload.Actions[1].Body.GetProperty("topic").GetString());
        Assert.Equal("errorAction.lambda", payload.ErrorAction!.Path);
    }

    [Fact]
    public void Parse_Defaults_VersionNullEnabledNoErrorAction()
    {
        var payload = TopicRulePayloadParser.Parse("""{"sql":"SELECT * FROM 'a'","actions":[]}""", "r.json");
        Assert.Null(payload.AwsIotSqlVersion);
        Assert.False(payload.RuleDisabled);
        Assert.Null(payload.ErrorAction);
        Assert.Empty(payload.Actions);
    }

    [Fact]
    public void Parse_BadJson_ErrorNamesFileLineAndColumn()
    {
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse("{\n  \"sql\": \"SELECT 1\",\n  \"actions\": [,]\n}", "rules/bad.json"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("rules/bad.json", error.Source);
        Assert.Equal(3, error.Line);
        Assert.Equal(15, error.Column);
        Assert.StartsWith("Invalid JSON", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("rules/bad.json(3,15)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TrailingComma_IsRejectedLikeTheCli()
    {
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse("""{"sql":"SELECT 1","actions":[],}""", "t.json"));
        Assert.Equal(1, Assert.Single(ex.Errors).Line);
    }

    [Fact]
    public void Parse_CollectsEveryFieldError_NamingTheField()
    {
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse("""
            {
              "sql": 5,
              "ruleDisabled": "no",
              "awsIotSqlVersion": "2020-01-01",
              "actions": [ { "lambda": {}, "sqs": {} }, { "lamda": {} }, { "republish": "x" } ],
              "errorAction": [],
              "extra": 1
            }
            """, "r.json"));
        var paths = ex.Errors.Select(e => e.Path).ToList();
        Assert.Contains("sql", paths);
        Assert.Contains("ruleDisabled", paths);
        Assert.Contains("awsIotSqlVersion", paths);
        Assert.Contains("actions[0]", paths);
        Assert.Contains("actions[1].lamda", paths);
        Assert.Contains("actions[2].republish", paths);
        Assert.Contains("errorAction", paths);
        Assert.Contains("extra", paths);
        Assert.All(ex.Errors, e => Assert.Equal("r.json", e.Source));
    }

    [Fact]
    public void Parse_MoreThanTenActions_IsRejected()
    {
        var actions = string.Join(",", Enumerable.Repeat("""{"lambda":{"functionArn":"f"}}""", 11));
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse($$"""{"sql":"SELECT 1","actions":[{{actions}}]}""", "r.json"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("actions", error.Path);
        Assert.Contains("at most 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredFields_AreReported()
    {
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse("{}", "r.json"));
        Assert.Equal(["actions", "sql"], ex.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_NotAnObject_IsRejected()
    {
        var ex = Assert.Throws<RuleConfigException>(() => TopicRulePayloadParser.Parse("[]", "r.json"));
        Assert.Contains("found an array", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my_rule_1", true)]
    [InlineData("MyRule", true)]
    [InlineData("my-rule", false)]
    [InlineData("my rule", false)]
    [InlineData("", false)]
    public void RuleNames_FollowAwsPattern(string name, bool valid)
    {
        Assert.Equal(valid, RuleNames.IsValid(name));
        Assert.Equal(valid, RuleNames.Validate(name) is null);
    }

    [Fact]
    public void RuleNames_LongerThan128_AreInvalid()
    {
        Assert.True(RuleNames.IsValid(new string('a', 128)));
        Assert.False(RuleNames.IsValid(new string('a', 129)));
    }
}
