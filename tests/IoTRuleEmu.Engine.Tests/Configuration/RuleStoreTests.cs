using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Engine.Tests.Configuration;

public sealed class RuleStoreTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "iotruleemu-rules", Guid.NewGuid().ToString("N"));
    private EmulatorHarness _h = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _h = await EmulatorHarness.StartAsync(
            services => services.AddSingleton<Engine.Actions.IRuleActionFactory>(new RecordingActionFactory("lambda")),
            start: false);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private const string Good = """{"sql":"SELECT * FROM 'a/b'","actions":[{"lambda":{"target":"x"}}]}""";

    [Fact]
    public void LoadDirectory_LoadsGoodFiles_ReportsBadOnesByFile()
    {
        Write("good_rule.json", Good);
        var badJson = Write("bad_json.json", "{\"sql\": \"SELECT 1\",\n\"actions\": [}");
        var badSql = Write("bad_sql.json", """{"sql":"SELECT FROM WHERE","actions":[]}""");
        var badName = Write("bad-name.json", Good);
        Write("ignored.txt", "not a rule");

        var report = _h.Rules.LoadDirectory(_dir);

        Assert.Equal(["good_rule"], report.LoadedRules);
        Assert.Equal(["good_rule"], _h.Rules.Current.Rules.Select(r => r.Name));
        var jsonError = Assert.Single(report.Errors, e => e.Source == badJson);
        Assert.Equal(2, jsonError.Line);
        var sqlError = Assert.Single(report.Errors, e => e.Source == badSql);
        Assert.Equal("sql", sqlError.Path);
        Assert.StartsWith("SqlParseException: line 1, column", sqlError.Message, StringComparison.Ordinal);
        Assert.Contains(report.Errors, e => e.Source == badName && e.Message.Contains("^[a-zA-Z0-9_]+$", StringComparison.Ordinal));
        Assert.Equal(3, _h.Logs.WithEventId(EventIds.RuleRejected).Select(e => e["Source"]).Distinct().Count());
    }

    [Fact]
    public void LoadDirectory_KeepsRulesFromOtherSources()
    {
        _h.AddRule("api_rule", Good);
        Write("file_rule.json", Good);

        _h.Rules.LoadDirectory(_dir);
        Assert.Equal(["api_rule", "file_rule"], _h.Rules.Current.Rules.Select(r => r.Name));

        File.Delete(Path.Combine(_dir, "file_rule.json"));
        _h.Rules.LoadDirectory(_dir);
        Assert.Equal(["api_rule"], _h.Rules.Current.Rules.Select(r => r.Name));
        _h.Rules.LoadDirectory(Path.Combine(_dir, "missing"));
        Assert.Equal(["api_rule"], _h.Rules.Current.Rules.Select(r => r.Name));
    }

    [Fact]
    public void LoadFile_BadSql_ErrorPointsIntoTheFile()
    {
        var path = Write("sql_pos.json", "{\n  \"actions\": [],\n  \"sql\": \"SELECT a FROM 't' WHERE \\\"x\\\" = = 1\"\n}");
        var error = Assert.Single(_h.Rules.LoadFile(path).Errors);
        Assert.Equal("sql", error.Path);
        Assert.Equal(3, error.Line);
        // Line 3 is `  "sql": "SELECT a FROM 't' WHERE \"x\" = = 1"`; the error is at the second '='.
        var fileLine = File.ReadAllLines(path)[2];
        Assert.Equal('=', fileLine[error.Column!.Value - 1]);
        Assert.Equal(fileLine.LastIndexOf('=') + 1, error.Column);
        Assert.StartsWith($"{path}(3,{error.Column}) [sql]: SqlParseException: line 1, column", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_Missing_MeansNoRulesAndIsLogged()
    {
        var report = _h.Rules.LoadDirectory(Path.Combine(_dir, "nope"));
        Assert.True(report.Succeeded);
        Assert.Equal(0, _h.Rules.Current.Count);
        Assert.Single(_h.Logs.WithEventId(EventIds.RulesDirectoryMissing));
    }

    [Fact]
    public void LoadFile_InvalidReplacement_KeepsThePreviousVersion()
    {
        var path = Write("r1.json", Good);
        Assert.True(_h.Rules.LoadFile(path).Succeeded);
        var before = _h.Rules.Current.Find("r1");

        File.WriteAllText(path, """{"sql":"SELECT * FROM","actions":[]}""");
        var report = _h.Rules.LoadFile(path);

        Assert.False(report.Succeeded);
        Assert.Same(before, _h.Rules.Current.Find("r1"));
        Assert.Single(_h.Logs.WithEventId(EventIds.RuleKeptPrevious));

        // A directory reload keeps it too, and drops rules whose files are gone.
        Write("r2.json", Good);
        _h.Rules.LoadDirectory(_dir);
        Assert.Same(before, _h.Rules.Current.Find("r1"));
        Assert.NotNull(_h.Rules.Current.Find("r2"));
        File.Delete(Path.Combine(_dir, "r2.json"));
        _h.Rules.LoadDirectory(_dir);
        Assert.Null(_h.Rules.Current.Find("r2"));
    }

    [Fact]
    public void RemoveFile_And_SetEnabled_SwapSnapshots()
    {
        var path = Write("r1.json", Good);
        _h.Rules.LoadFile(path);
        var first = _h.Rules.Current;
        Assert.Single(first.Index.Match("a/b"));

        Assert.True(_h.Rules.SetEnabled("r1", false));
        Assert.True(_h.Rules.Current.Find("r1")!.Disabled);
        Assert.Empty(_h.Rules.Current.Index.Match("a/b"));
        Assert.Single(first.Index.Match("a/b")); // old snapshot unchanged
        Assert.Same(first.Find("r1")!.Counters, _h.Rules.Current.Find("r1")!.Counters);

        Assert.True(_h.Rules.RemoveFile(path));
        Assert.Null(_h.Rules.Current.Find("r1"));
        Assert.False(_h.Rules.Remove("r1"));
        Assert.False(_h.Rules.SetEnabled("r1", true));
    }

    [Fact]
    public void Load_RuleAndArn_UseConfiguredRegionAndAccount()
    {
        var rule = _h.AddRule("arn_rule", Good);
        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/arn_rule", rule.Arn);
        Assert.Equal("a/b", rule.TopicFilter);
    }

    [Fact]
    public void Load_NotEmulatedActionType_LoadsAndIsReportedOnce()
    {
        _h.AddRule("with_sqs", """{"sql":"SELECT * FROM 'q'","actions":[{"sqs":{"queueUrl":"u","roleArn":"r"}}],"errorAction":{"s3":{"bucketName":"b","key":"k","roleArn":"r"}}}""");
        var entries = _h.Logs.WithEventId(EventIds.ActionTypeNotEmulated);
        Assert.Equal(["sqs", "s3"], entries.Select(e => (string)e["ActionKey"]!));
        Assert.Equal(["actions[0].sqs", "errorAction.s3"], entries.Select(e => (string)e["ActionPath"]!));
    }

    [Fact]
    public void Load_InvalidTemplateInAction_NamesTheField()
    {
        var path = Write("tpl.json", """{"sql":"SELECT * FROM 'a'","actions":[{"republish":{"roleArn":"r","topic":"x/${topic("}}]}""");
        var report = _h.Rules.LoadFile(path);
        var error = Assert.Single(report.Errors);
        Assert.Equal("actions[0].republish.topic", error.Path);
        Assert.Equal(path, error.Source);
    }

    [Fact]
    public void Load_RepublishMissingFields_AreReported()
    {
        var path = Write("rp.json", """{"sql":"SELECT * FROM 'a'","actions":[{"republish":{"qos":2,"headers":{"payloadFormatIndicator":"TEXT","bogus":"x"}}}]}""");
        var report = _h.Rules.LoadFile(path);
        Assert.Equal(
            ["actions[0].republish.headers.bogus", "actions[0].republish.headers.payloadFormatIndicator", "actions[0].republish.qos", "actions[0].republish.roleArn", "actions[0].republish.topic"],
            report.Errors.Select(e => e.Path!).Order(StringComparer.Ordinal));
    }
}
