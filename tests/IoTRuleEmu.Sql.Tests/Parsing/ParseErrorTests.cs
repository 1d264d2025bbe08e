using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Parsing;

/// <summary>Bad SQL is a SqlParseException naming line, column and what was expected.</summary>
public class ParseErrorTests
{
    private static SqlParseException Fail(string sql, SqlVersion version = SqlVersion.V2016_03_23) =>
        Assert.Throws<SqlParseException>(() => SqlStatement.Compile(sql, version));

    [Theory]
    [InlineData("SELECT FROM 't'", 1, 8, "Expected an expression")]
    [InlineData("SELECT a FROM t", 1, 15, "quoted topic filter")]
    [InlineData("SELECT a FROM 't' WHERE", 1, 24, "Expected an expression but found the end of the statement")]
    [InlineData("SELECT a b FROM 't'", 1, 10, "Expected FROM, WHERE or the end of the statement")]
    [InlineData("SELECT a,\n  b +\n  FROM 't'", 3, 3, "Expected an expression but found 'FROM'")]
    [InlineData("SELECT nosuch(a) FROM 't'", 1, 8, "Unknown function 'nosuch'")]
    [InlineData("SELECT a FROM 'a/#/b'", 1, 15, "'#' must be the last level")]
    [InlineData("SELECT a FROM 'a/b+'", 1, 15, "'+' must occupy a whole level")]
    [InlineData("SELECT 'abc FROM t", 1, 8, "Unterminated string literal")]
    [InlineData("SELECT a || b FROM 't'", 1, 10, "'||' is not an AWS IoT SQL operator")]
    [InlineData("SELECT a[0] FROM 't'", 1, 9, "use get(array, index)")]
    [InlineData("SELECT CASE WHEN a THEN 1 END FROM 't'", 1, 13, "Only the simple CASE form")]
    [InlineData("SELECT CASE a WHEN 1 THEN 2 FROM 't'", 1, 29, "Expected WHEN, ELSE or END")]
    [InlineData("SELECT a.1 FROM 't'", 1, 10, "cannot start with a digit")]
    [InlineData("SELECT 2abc FROM 't'", 1, 8, "cannot start with a digit")]
    [InlineData("SELECT a = b = c FROM 't'", 1, 14, "cannot be chained")]
    [InlineData("SELECT @v FROM 't'", 1, 8, "Variable '@v' is not declared")]
    [InlineData("SET @a = 1, @a = 2 SELECT @a FROM 't'", 1, 13, "already assigned")]
    [InlineData("SET @a = @a SELECT 1 AS x FROM 't'", 1, 10, "not declared")]
    [InlineData("SET a = 1 SELECT 1 AS x FROM 't'", 1, 5, "start with '@'")]
    [InlineData("SELECT cast(a AS) FROM 't'", 1, 17, "a type name")]
    [InlineData("SELECT (SELECT v FROM 'topic') AS x FROM 't'", 1, 23, "not a topic")]
    [InlineData("SELECT a AS FROM 't'", 1, 13, "an alias name after AS")]
    [InlineData("SELECT a FROM 't'; DROP", 1, 18, "Unexpected character ';'")]
    [InlineData("SELECT a # comment\nFROM 't'", 1, 10, "Unexpected character '#'")]
    public void ReportsPositionAndReason(string sql, int line, int column, string reason)
    {
        var e = Fail(sql);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}, column {column}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_ShowsTheLineWithACaret()
    {
        var e = Fail("SELECT a,\n  b +\n  FROM 't'");
        var lines = e.Message.Split('\n');
        Assert.Equal("  FROM 't'", lines[1]);
        Assert.Equal("  ^", lines[2]);
    }

    [Theory]
    [InlineData("SELECT {'a': 1} AS o FROM 't'", "Object literals")]
    [InlineData("SELECT [1] AS o FROM 't'", "Array literals")]
    [InlineData("SELECT (SELECT VALUE n FROM e) AS o FROM 't'", "Nested queries")]
    public void Syntax2016_Under2015_IsAParseError(string sql, string what)
    {
        var e = Fail(sql, SqlVersion.V2015_10_08);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.Contains("2016-03-23", e.Message, StringComparison.Ordinal);
        _ = SqlStatement.Compile(sql, SqlVersion.V2016_03_23);
        _ = SqlStatement.Compile(sql, SqlVersion.Beta);
    }

    [Fact]
    public void MoreThanTenVariables_IsAParseError()
    {
        var sets = string.Join(", ", Enumerable.Range(1, 11).Select(i => $"@v{i} = {i}"));
        Assert.Contains("at most 10 variables", Fail($"SET {sets} SELECT 1 AS x FROM 't'").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileNesting_IsAnErrorNotAStackOverflow()
    {
        var sql = "SELECT " + new string('(', 5000) + "1" + new string(')', 5000) + " AS x FROM 't'";
        Assert.Contains("nested more than", Fail(sql).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromIsOptional_ForBasicIngestOnlyRules()
    {
        var statement = SqlStatement.Compile("SELECT * WHERE a > 1");
        Assert.Null(statement.TopicFilter);
    }

    [Fact]
    public void MultiLineSql_Parses() =>
        Assert.Equal("a/b", SqlStatement.Compile("SELECT\n  a,\n  b\nFROM\n  'a/b'\nWHERE\n  a > 1").TopicFilter);
}
