using System.Text;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Runtime;
using IoTRuleEmu.Sql.Templates;

namespace IoTRuleEmu.Sql.Tests.Evaluation;

public class TemplateTests
{
    private static EvalContext Context(string payload = """{"device_id":"d1","n":5,"obj":{"a":[1,2]}}""", string topic = "sensors/d1/up") =>
        new(new SqlMessage { Topic = topic, Payload = Encoding.UTF8.GetBytes(payload), TimestampMs = 1_700_000_000_123, ClientId = "c1" });

    [Fact]
    public void ConstantText_IsReturnedUnchanged()
    {
        var t = SubstitutionTemplate.Parse("plain/topic");
        Assert.True(t.IsConstant);
        using var ctx = Context();
        Assert.Equal("plain/topic", t.Render(ctx));
    }

    [Theory]
    [InlineData("${topic()}/republish", "sensors/d1/up/republish")]
    [InlineData("device/${device_id}", "device/d1")]
    [InlineData("${topic(2)}-${n * 2}", "d1-10")]
    [InlineData("${obj}", """{"a":[1,2]}""")]
    [InlineData("x${missing}y", "xy")]
    [InlineData("${replace(topic(), '/', '-') + '-' + n}", "sensors-d1-up-5")]
    [InlineData("${CASE n WHEN 5 THEN 'five' ELSE 'other' END}", "five")]
    [InlineData("${ {'k': '}'}.k }", "}")]
    [InlineData("$$aws/things/${device_id}/shadow/update", "$$aws/things/d1/shadow/update")]
    [InlineData("cost $5 ${n}", "cost $5 5")]
    public void Renders_AgainstTheOriginalMessage(string template, string expected)
    {
        var t = SubstitutionTemplate.Parse(template, SqlVersion.V2016_03_23);
        using var ctx = Context();
        Assert.Equal(expected, t.Render(ctx));
    }

    [Fact]
    public void SeesSetVariables_NotSelectAliases()
    {
        var statement = SqlStatement.Compile("SET @c = n * 10 SELECT n AS renamed FROM 'sensors/+/up'", SqlVersion.V2016_03_23);
        using var ctx = Context();
        Assert.True(statement.Evaluate(ctx).IsMatch);
        Assert.Equal("50|", SubstitutionTemplate.Parse("${@c}|${renamed}", SqlVersion.V2016_03_23).Render(ctx));
    }

    [Theory]
    [InlineData("${topic()", "'}' to close")]
    [InlineData("a/${nosuch()}", "Unknown function 'nosuch'")]
    [InlineData("${}", "Expected an expression")]
    public void BadTemplate_IsAParseErrorWithPosition(string template, string reason)
    {
        var e = Assert.Throws<SqlParseException>(() => SubstitutionTemplate.Parse(template));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
