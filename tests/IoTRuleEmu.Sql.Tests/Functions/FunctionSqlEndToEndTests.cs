using System.Text;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>Functions called from real SQL through <see cref="SqlStatement"/>: a few statements per family, and version gating.</summary>
public class FunctionSqlEndToEndTests
{
    private static string Run(string sql, string payload, SqlVersion version = SqlVersion.V2016_03_23, string topic = "t/a/b", ISqlExternalFunctions? external = null)
    {
        var statement = SqlStatement.Compile(sql, version);
        var message = new SqlMessage
        {
            Topic = topic,
            Payload = Encoding.UTF8.GetBytes(payload),
            ClientId = "dev-1",
            TimestampMs = 1_700_000_000_123,
        };
        var result = statement.Evaluate(message, external);
        return result.Outcome switch
        {
            SqlOutcome.Matched => Encoding.UTF8.GetString(result.Payload!),
            SqlOutcome.NotMatched => "<no match>",
            _ => "<failed: " + result.Error + ">",
        };
    }

    [Theory]
    // math
    [InlineData("SELECT round(t) AS r, ceil(t) AS c, floor(t) AS f, abs(n) AS a FROM 't/#'", "{\"t\":1.5,\"n\":-3}", "{\"r\":2,\"c\":2,\"f\":1,\"a\":3}")]
    [InlineData("SELECT mod(8, 3) AS m, bitand(13, 5) AS b, trunc(2.3123, 2) AS t FROM 't/#'", "{}", "{\"m\":2,\"b\":5,\"t\":2.31}")]
    [InlineData("SELECT sqrt(-1) AS s, power(2, 5) AS p FROM 't/#'", "{}", "{\"p\":32}")]
    // string
    [InlineData("SELECT upper(name) AS u, lpad(name, 2) AS l, substring(name, 1, 3) AS s FROM 't/#'", "{\"name\":\"hello\"}", "{\"u\":\"HELLO\",\"l\":\"  hello\",\"s\":\"el\"}")]
    [InlineData("SELECT concat(a, b) AS c, concat(arr, 4) AS d FROM 't/#'", "{\"a\":\"x\",\"b\":1,\"arr\":[1,2]}", "{\"c\":\"x1\",\"d\":[1,2,4]}")]
    [InlineData("SELECT length(s) AS n, numbytes(s) AS b, indexof(s, 'c') AS i FROM 't/#'", "{\"s\":\"a€c\"}", "{\"n\":3,\"b\":5,\"i\":2}")]
    // hash
    [InlineData("SELECT md5(deviceid) AS h FROM 't/#'", "{\"deviceid\":\"iot123\"}", "{\"h\":\"e37f81fb397e595c4aeb5645b8cbbbd1\"}")]
    [InlineData("SELECT md2('hello') AS a, sha224('abc') AS b FROM 't/#'", "{}", "{\"a\":\"a9046c73e00331af68917d3804f70655\",\"b\":\"23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7\"}")]
    // regex
    [InlineData("SELECT regexp_replace(s, 'b(.*)d', '$1') AS r, regexp_substr(s, 'b.') AS f FROM 't/#' WHERE regexp_matches(s, 'a')", "{\"s\":\"abcd\"}", "{\"r\":\"ac\",\"f\":\"bc\"}")]
    [InlineData("SELECT * FROM 't/#' WHERE regexp_matches(s, '^z')", "{\"s\":\"abcd\"}", "<no match>")]
    // collection
    [InlineData("SELECT get(arr, 1) AS g, get(get(obj, 'my-key'), 0) AS h, isNull(n) AS i, isUndefined(missing) AS u FROM 't/#'", "{\"arr\":[\"a\",\"b\"],\"obj\":{\"my-key\":[7]},\"n\":null}", "{\"g\":\"b\",\"h\":7,\"i\":true,\"u\":true}")]
    [InlineData("SELECT get(*, 'my-key') AS k FROM 't/#'", "{\"my-key\":5}", "{\"k\":5}")]
    [InlineData("SELECT transform('enrichArray', attributes, values) AS t FROM 't/#'", "{\"attributes\":{\"data1\":1},\"values\":[{\"a\":3},{\"b\":4}]}", "{\"t\":[{\"a\":3,\"data1\":1},{\"b\":4,\"data1\":1}]}")]
    [InlineData("SELECT nanvl(missing, 3) AS n, get_or_default(missing, 'd') AS g FROM 't/#'", "{}", "{\"n\":3,\"g\":\"d\"}")]
    // cast
    [InlineData("SELECT cast(topic(2) AS DECIMAL) AS d, cast(true AS Int) AS i, cast(5.0 AS double) AS x FROM 't/#'", "{}", "{\"d\":22,\"i\":1,\"x\":5}")]
    // encoding
    [InlineData("SELECT decode(encode(*, 'base64'), 'base64').temperature AS t FROM 't/#'", "{\"temperature\":21.5}", "{\"t\":21.5}")]
    // time
    [InlineData("SELECT timestamp() AS ts, parse_time('yyyy-MM-dd', timestamp()) AS d, time_to_epoch('18 December 2015', 'dd MMMM yyyy') AS e FROM 't/#'", "{}", "{\"ts\":1700000000123,\"d\":\"2023-11-14\",\"e\":1450396800000}")]
    // context
    [InlineData("SELECT topic() AS t, topic(2) AS t2, clientid() AS c, sql_version() AS v FROM 't/#'", "{}", "{\"t\":\"t/22/b\",\"t2\":\"22\",\"c\":\"dev-1\",\"v\":\"2016-03-23\"}")]
    public void Sql_2016(string sql, string payload, string expected) =>
        Assert.Equal(expected, Run(sql, payload, topic: "t/22/b"));

    [Fact]
    public void Cast_WholeDouble_2015_KeepsFraction() =>
        Assert.Equal("{\"x\":5.0}", Run("SELECT cast(5.0 AS double) AS x FROM 't/#'", "{}", SqlVersion.V2015_10_08));

    [Fact]
    public void DecodeOfEncode_OnBinaryPayload_WhereAndSelect() =>
        Assert.Equal("{\"value\":80}", Run("SELECT decode(encode(*,'base64'),'base64') AS value FROM 't/#' WHERE decode(encode(*, 'base64'), 'base64') > 50", "80"));

    [Fact]
    public void ExternalFunction_WithoutHost_FailsEvaluation()
    {
        var result = Run("SELECT get_thing_shadow('thing', 'arn:aws:iam::123456789012:role/r').state AS s FROM 't/#'", "{}");
        Assert.StartsWith("<failed: get_thing_shadow:", result, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalFunction_WithHost_ResultIsAddressable()
    {
        var host = new RecordingExternal(SqlExternalResult.Success(SqlJson.ParseValue("{\"state\":{\"reported\":{\"alarm\":\"ON\"}}}")));
        var result = Run("SELECT * FROM 't/#' WHERE get_thing_shadow('MyThing', 'arn:aws:iam::123456789012:role/r').state.reported.alarm = 'ON'", "{\"a\":1}", external: host);
        Assert.Equal("{\"a\":1}", result);
        Assert.Equal("get_thing_shadow", host.LastName);
    }

    [Theory]
    [InlineData("SELECT encode(*, 'base64') AS e FROM 't'")]
    [InlineData("SELECT decode(x, 'base64') AS e FROM 't'")]
    [InlineData("SELECT indexof(x, 'a') AS e FROM 't'")]
    [InlineData("SELECT isUndefined(x) AS e FROM 't'")]
    [InlineData("SELECT length(x) AS e FROM 't'")]
    [InlineData("SELECT numbytes(x) AS e FROM 't'")]
    [InlineData("SELECT parse_time('yyyy', 0) AS e FROM 't'")]
    [InlineData("SELECT time_to_epoch('2020', 'yyyy') AS e FROM 't'")]
    [InlineData("SELECT transform('enrichArray', a, b) AS e FROM 't'")]
    [InlineData("SELECT sourceip() AS e FROM 't'")]
    [InlineData("SELECT get_or_default(x, 1) AS e FROM 't'")]
    [InlineData("SELECT get_mqtt_property('content_type') AS e FROM 't'")]
    [InlineData("SELECT get_user_properties('k') AS e FROM 't'")]
    [InlineData("SELECT get_dynamodb('t', 'pk', 'v', 'arn') AS e FROM 't'")]
    [InlineData("SELECT get_thing_shadow('t', 'arn') AS e FROM 't'")]
    [InlineData("SELECT get_registry_data('DescribeThing', 't', 'arn') AS e FROM 't'")]
    public void Only2016Function_Under2015_IsParseError(string sql)
    {
        Assert.Throws<SqlParseException>(() => SqlStatement.Compile(sql, SqlVersion.V2015_10_08));
        Assert.NotNull(SqlStatement.Compile(sql, SqlVersion.V2016_03_23));
    }

    [Theory]
    [InlineData("SELECT isEmpty(x) AS e FROM 't'")]
    [InlineData("SELECT coalesce(x, 1) AS e FROM 't'")]
    public void UnknownFunction_IsParseError(string sql) =>
        Assert.Throws<SqlParseException>(() => SqlStatement.Compile(sql, SqlVersion.V2016_03_23));
}
