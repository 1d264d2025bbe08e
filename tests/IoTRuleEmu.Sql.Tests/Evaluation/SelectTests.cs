using System.Text;
using IoTRuleEmu.Sql.Runtime;
using static IoTRuleEmu.Sql.Tests.SqlTestHelper;

namespace IoTRuleEmu.Sql.Tests.Evaluation;

public class SelectTests
{
    private const string Device = """{"state":{"debug":true,"command":"go","reported":{"temperature":21.5}},"version":7,"e":[{"n":"t","v":1},{"n":"h","v":2},{"x":3}]}""";

    [Fact]
    public void Star_PassesThePayloadAsCompactJson() =>
        Assert.Equal("""{"a":1,"b":[1,2],"c":{"d":"x"}}""", Eval("SELECT * FROM 't'", """{ "a" : 1, "b" : [ 1, 2 ], "c" : { "d" : "x" } }"""));

    [Fact]
    public void Star_WithExtraItems_KeepsPayloadOrderThenAddsKeys() =>
        Assert.Equal("""{"a":1,"b":2,"speed":15}""", Eval("SELECT *, 15 AS speed FROM 't'", """{"a":1,"b":2}"""));

    [Fact]
    public void Star_WithExtraItem_OverwritingExistingKey_KeepsItsPosition() =>
        Assert.Equal("""{"a":9,"b":2}""", Eval("SELECT *, 9 AS a FROM 't'", """{"a":1,"b":2}"""));

    [Fact]
    public void StarAlias_WrapsThePayload() =>
        Assert.Equal("""{"message":{"a":1}}""", Eval("SELECT * AS message FROM 't'", """{"a":1}"""));

    [Fact]
    public void StarMember_ReadsFromThePayload() =>
        Assert.Equal("[1,2]", Eval("SELECT VALUE *.messages FROM 't'", """{"messages":[1,2]}"""));

    [Fact]
    public void DottedAliases_BuildAndMergeNestedObjects_InSelectOrder() =>
        Assert.Equal("""{"state":{"debug":true,"command":"go"},"version":7}""",
            Eval("SELECT state.debug AS state.debug, state.command AS state.command, version FROM 't'", Device));

    [Fact]
    public void DottedAlias_OnAPathBuildsNestedObject() =>
        Assert.Equal("""{"bar":{"baz":21.5}}""", Eval("SELECT state.reported.temperature AS bar.baz FROM 't'", Device));

    [Fact]
    public void UnaliasedItems_UseLastPathSegment_FunctionName_OrPosition() =>
        Assert.Equal("""{"temperature":21.5,"abs":3,"_3":3}""", Eval("SELECT state.reported.temperature, abs(-3), 1 + 2 FROM 't'", Device));

    [Fact]
    public void UndefinedItems_AreOmitted_AndAllUndefinedGivesEmptyObject()
    {
        Assert.Equal("""{"version":7}""", Eval("SELECT missing, version FROM 't'", Device));
        Assert.Equal("{}", Eval("SELECT missing, other FROM 't'", Device));
    }

    [Fact]
    public void SelectValue_OfUndefined_IsTheEmptyPayload() => Assert.Equal(string.Empty, Eval("SELECT VALUE missing FROM 't'", Device));

    [Fact]
    public void SelectValue_IsAKeywordOnlyBeforeAnExpression() =>
        Assert.Equal("""{"value":3}""", Eval("SELECT value FROM 't'", """{"value":3}"""));

    [Fact]
    public void SelectValue_OfArray_IsTopLevelArrayIn2016_AndEmptyIn2015()
    {
        Assert.Equal("[1,2]", Eval("SELECT VALUE arr FROM 't'", """{"arr":[1,2]}"""));
        Assert.Equal(string.Empty, Eval("SELECT VALUE arr FROM 't'", """{"arr":[1,2]}""", SqlVersion.V2015_10_08));
    }

    [Fact]
    public void Where_OnlyBooleanTrueFires()
    {
        Assert.NotNull(Eval("SELECT * FROM 't' WHERE version = 7", Device));
        Assert.Null(Eval("SELECT * FROM 't' WHERE version = 8", Device));
        Assert.Null(Eval("SELECT * FROM 't' WHERE missing > 3", Device));
        Assert.Null(Eval("SELECT * FROM 't' WHERE 'true'", Device));
        Assert.Null(Eval("SELECT * FROM 't' WHERE version", Device));
    }

    [Fact]
    public void Where_DoesNotSeeSelectAliases() =>
        Assert.Null(Eval("SELECT version AS v FROM 't' WHERE v = 7", Device));

    [Fact]
    public void NestedQuery_OverArray_FiltersAndProjectsEachElement()
    {
        Assert.Equal("""{"names":["t","h"]}""", Eval("SELECT (SELECT VALUE n FROM e) AS names FROM 't'", Device));
        Assert.Equal("""{"x":[{"v":2}]}""", Eval("SELECT (SELECT v FROM e WHERE n = 'h') AS x FROM 't'", Device));
    }

    [Fact]
    public void NestedQuery_FromStar_IsAOneElementArray() =>
        Assert.Equal("""{"version":7,"topic":"a/b"}""",
            Eval("SELECT VALUE get((SELECT version, topic() AS topic FROM *), 0) FROM 'a/b'", Device, topic: "a/b"));

    [Fact]
    public void NestedQuery_OverObject_GivesTheSingleResult() =>
        Assert.Equal("""{"r":{"temperature":21.5}}""", Eval("SELECT (SELECT temperature FROM state.reported) AS r FROM 't'", Device));

    [Fact]
    public void NestedQuery_AsBareFunctionArgument() =>
        Assert.Equal("""{"x":false}""", Eval("SELECT isNull(SELECT VALUE n FROM e) AS x FROM 't'", Device));

    [Fact]
    public void ObjectAndArrayLiterals() =>
        Assert.Equal("""{"o":{"k":7,"l":[1,"a",true,null]}}""", Eval("SELECT {'k': version, \"l\": [1, 'a', true, null]} AS o FROM 't'", Device));

    [Fact]
    public void StringLiterals_BothQuoteStyles_AndDoubledQuotes() =>
        Assert.Equal("""{"a":"it's","b":"say \"hi\"","c":"x 'y'"}""", Eval(""""SELECT 'it''s' AS a, "say ""hi""" AS b, "x 'y'" AS c FROM 't'"""", "{}"));

    [Fact]
    public void Keywords_AreCaseInsensitive() =>
        Assert.Equal("""{"v":7}""", Eval("select Version as v from 't' where VERSION = 7 aNd TRUE", """{"Version":7,"VERSION":7}"""));

    [Fact]
    public void Set_VariablesAreVisibleInSelectWhereNestedAndOtherAssignments()
    {
        const string sql = "SET @t = state.reported.temperature, @f = @t * 9 / 5 + 32, @o = {'n': 'h'} " +
                           "SELECT @f AS fahrenheit, @o.n AS name, (SELECT VALUE v FROM e WHERE n = @o.n) AS hv FROM 't' WHERE @t > 20";
        Assert.Equal("""{"fahrenheit":70.7,"name":"h","hv":[2]}""", Eval(sql, Device));
    }

    [Fact]
    public void Decimals_PrintAsJava_AndWholeDecimalsAsIntIn2016()
    {
        Assert.Equal("""{"a":5.0,"b":36.9039996}""", Eval("SELECT a, b FROM 't'", """{"a":5.0,"b":36.903999599999999}""", SqlVersion.V2015_10_08));
        Assert.Equal("""{"a":5,"b":36.9039996}""", Eval("SELECT a, b FROM 't'", """{"a":5.0,"b":36.903999599999999}"""));
    }

    [Fact]
    public void BigIntegers_UpTo34Digits_StayExact() =>
        Assert.Equal("""{"n":1234567890123456789012345678901234}""", Eval("SELECT n FROM 't'", """{"n":1234567890123456789012345678901234}"""));

    [Fact]
    public void NonAscii_IsWrittenAsUtf8_ControlCharactersEscaped() =>
        Assert.Equal("{\"s\":\"€ \\n\"}", Eval("SELECT s FROM 't'", "{\"s\":\"\\u20ac \\n\"}"));

    [Fact]
    public void BinaryPayload_StarPassesBytesThrough()
    {
        var raw = new byte[] { 0x00, 0xFF, 0x10, 0x80 };
        var statement = SqlStatement.Compile("SELECT * FROM 't'");
        var result = statement.Evaluate(new SqlMessage { Topic = "t", Payload = raw });
        Assert.Equal(raw, result.Payload);
    }

    [Fact]
    public void BinaryPayload_AttributesAreUndefined_WhereOnThemDoesNotFire()
    {
        Assert.Null(Eval("SELECT * FROM 't' WHERE device_type = 'x'", "not json"));
        Assert.Equal("""{"data":"bm90IGpzb24="}""", Eval("SELECT encode(*, 'base64') AS data FROM 't'", "not json"));
    }

    [Fact]
    public void BinaryPayload_StarWithExtraItems_FailsTheEvaluation() =>
        Assert.StartsWith("FAILED: ParseError", Eval("SELECT *, 1 AS x FROM 't'", "not json"));

    [Fact]
    public void EmptyPayload_IsAnObjectThatDataCanBeAddedTo() =>
        Assert.Equal("""{"speed":15}""", Eval("SELECT *, 15 AS speed FROM 't'", string.Empty));

    [Fact]
    public void ScalarJsonPayload_IsReachedThroughEncodeDecode() =>
        Assert.Equal("""{"value":80}""", Eval("SELECT decode(encode(*, 'base64'), 'base64') AS value FROM 't'", "80"));

    [Fact]
    public void TopicFilter_IsCheckedBeforeEvaluation()
    {
        var statement = SqlStatement.Compile("SELECT * FROM 'a/+/c'");
        Assert.Equal("a/+/c", statement.TopicFilter);
        Assert.Equal(SqlOutcome.NotMatched, statement.Evaluate(new SqlMessage { Topic = "a/b/d", Payload = "{}"u8.ToArray() }).Outcome);
        Assert.Equal(SqlOutcome.Matched, statement.Evaluate(new SqlMessage { Topic = "a/b/c", Payload = "{}"u8.ToArray() }).Outcome);
    }

    [Fact]
    public void Statement_IsCompiledOnce_AndSafeToEvaluateConcurrently()
    {
        var statement = SqlStatement.Compile("SELECT n * 2 AS d, topic(2) AS dev FROM 's/+' WHERE n > 0", SqlVersion.V2016_03_23);
        var outputs = new string[2000];
        Parallel.For(0, outputs.Length, i =>
        {
            var r = statement.Evaluate(new SqlMessage { Topic = $"s/d{i}", Payload = Encoding.UTF8.GetBytes($$"""{"n":{{i + 1}}}""") });
            outputs[i] = Encoding.UTF8.GetString(r.Payload!);
        });
        for (var i = 0; i < outputs.Length; i++)
        {
            Assert.Equal($$"""{"d":{{2 * (i + 1)}},"dev":"d{{i}}"}""", outputs[i]);
        }
    }
}
