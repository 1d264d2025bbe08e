using System.Text;
using System.Text.Json;
using IoTRuleEmu.Eval;

namespace IoTRuleEmu.Tests.Eval;

/// <summary>The eval command in-process: exit codes and exact output bytes (CONTRACT.md "eval").</summary>
public sealed class EvalCommandTests
{
    private static (int Exit, byte[] Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var exit = EvalCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToArray(), stderr.ToString());
    }

    [Fact]
    public void Single_Match_PrintsPayloadExactly_Exit0()
    {
        var (exit, stdout, stderr) = Run("--sql", "SELECT temp, 'x' AS tag FROM 'sensors/+' WHERE temp > 20", "--topic", "sensors/a", "--payload", "{\"temp\": 25, \"other\": 1}");
        Assert.Equal("", stderr);
        Assert.Equal(EvalCommand.ExitMatched, exit);
        Assert.Equal("{\"temp\":25,\"tag\":\"x\"}", Encoding.UTF8.GetString(stdout));
    }

    [Fact]
    public void Single_WhereFalse_PrintsNothing_Exit1()
    {
        var (exit, stdout, stderr) = Run("--sql", "SELECT * FROM 'a' WHERE temp > 20", "--topic", "a", "--payload", "{\"temp\": 10}");
        Assert.Equal(EvalCommand.ExitNotMatched, exit);
        Assert.Empty(stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Single_TopicFilterMismatch_PrintsNothing_Exit1()
    {
        var (exit, stdout, _) = Run("--sql", "SELECT * FROM 'a/b'", "--topic", "a/c", "--payload", "{}");
        Assert.Equal(EvalCommand.ExitNotMatched, exit);
        Assert.Empty(stdout);
    }

    [Fact]
    public void Single_BadSql_PrintsSqlParseException_Exit2()
    {
        var (exit, stdout, stderr) = Run("--sql", "SELECT FROM WHERE", "--topic", "a", "--payload", "{}");
        Assert.Equal(EvalCommand.ExitBadSql, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("SqlParseException: ", stderr, StringComparison.Ordinal);
        Assert.Contains("column", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_ClientIdAndSqlVersion_AreUsed()
    {
        var (exit, stdout, _) = Run("--sql", "SELECT clientid() AS c, topic() AS t FROM '#'", "--topic", "x/y", "--payload", "{}",
            "--client-id", "dev-1", "--sql-version", "2016-03-23");
        Assert.Equal(0, exit);
        Assert.Equal("{\"c\":\"dev-1\",\"t\":\"x/y\"}", Encoding.UTF8.GetString(stdout));
    }

    [Fact]
    public void Single_UnknownOption_IsUsageError()
    {
        var (exit, _, stderr) = Run("--sqll", "SELECT 1 FROM 'a'");
        Assert.Equal(EvalCommand.ExitUsage, exit);
        Assert.Contains("--sqll", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Cases_OneLinePerCase_InOrder_Exit0()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file,
            [
                """{"id":"m","sql":"SELECT a FROM 't'","topic":"t","payload":"{\"a\":1,\"b\":2}"}""",
                """{"id":2,"sql":"SELECT a FROM 't' WHERE a = 5","topic":"t","payload":"{\"a\":1}"}""",
                """{"id":"bad","sql":"SELECT FROM","topic":"t","payload":"{}"}""",
                "",
                """{"id":"b64","sql":"SELECT * FROM 't'","topic":"t","payloadBase64":"eyJ4IjoxfQ==","sqlVersion":"2016-03-23","clientId":"c"}""",
            ]);
            var (exit, stdout, stderr) = Run("--cases", file);
            Assert.Equal("", stderr);
            Assert.Equal(0, exit);
            var lines = Encoding.UTF8.GetString(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            Assert.Equal("""{"id":"m","matched":true,"payload":"{\"a\":1}"}""", lines[0]);
            Assert.Equal("""{"id":2,"matched":false}""", lines[1]);
            using (var bad = JsonDocument.Parse(lines[2]))
            {
                Assert.Equal("bad", bad.RootElement.GetProperty("id").GetString());
                Assert.StartsWith("SqlParseException: ", bad.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            }
            Assert.Equal("""{"id":"b64","matched":true,"payload":"{\"x\":1}"}""", lines[3]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Cases_MissingFile_IsUsageError()
    {
        var (exit, _, stderr) = Run("--cases", "/nonexistent/cases.jsonl");
        Assert.Equal(EvalCommand.ExitUsage, exit);
        Assert.Contains("cases.jsonl", stderr, StringComparison.Ordinal);
    }
}
