using System.Text;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Rules;

/// <summary>Rule files: loaded at start, reloaded on add/change/remove; a broken file is reported and skipped.</summary>
public sealed class HotReloadTests(ITestOutputHelper output)
{
    private static string Republish(string from, string to, string select = "*") =>
        $$"""{ "sql": "SELECT {{select}} FROM '{{from}}'", "actions": [ { "republish": { "roleArn": "arn:aws:iam::123456789012:role/r", "topic": "{{to}}" } } ] }""";

    private static bool IsRuleRejected(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var s) && s.ToString().Contains("IoTRuleEmu.Engine", StringComparison.Ordinal)
        && e.MessageTemplate.Text.Contains("rejected", StringComparison.Ordinal);

    [Fact(Timeout = 60_000)]
    public async Task RulesFolder_LoadedAtStart()
    {
        await using var emu = await TestEmulator.StartAsync(output, s => s.Rules["start_rule"] = Republish("in/start", "out/start"));
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("out/#");
        var publisher = await emu.ConnectAsync("pub");
        await publisher.PublishAsync("in/start", "{\"v\":1}");
        var message = await inbox.WaitForTopicAsync("out/start");
        Assert.Equal("{\"v\":1}", Encoding.UTF8.GetString(message.Payload));
    }

    [Fact(Timeout = 60_000)]
    public async Task MissingRulesFolder_StartsWithNoRules_AndSaysSo()
    {
        await using var emu = await TestEmulator.StartAsync(output, s => s.CreateRulesDirectory = false);
        Assert.Equal(0, emu.Services.GetRequiredService<IRuleStore>().Current.Count);
        Assert.Contains(emu.Sink.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task AddChangeDelete_TakeEffect_WithoutRestart()
    {
        await using var emu = await TestEmulator.StartAsync(output);
        var store = emu.Services.GetRequiredService<IRuleStore>();
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("out/#", "marker");
        var publisher = await emu.ConnectAsync("pub");

        // Add.
        var added = await emu.WriteRuleAsync("hot_rule", Republish("in/hot", "out/v1"));
        Assert.True(added.Report!.Succeeded);
        Assert.NotNull(store.Current.Find("hot_rule"));
        await publisher.PublishAsync("in/hot", "{\"n\":1}");
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString((await inbox.WaitForTopicAsync("out/v1")).Payload));

        // Change: same rule, new topic and SELECT.
        var changed = await emu.WriteRuleAsync("hot_rule", Republish("in/hot", "out/v2", "n AS changed"));
        Assert.True(changed.Report!.Succeeded);
        await publisher.PublishAsync("in/hot", "{\"n\":2}");
        Assert.Equal("{\"changed\":2}", Encoding.UTF8.GetString((await inbox.WaitForTopicAsync("out/v2")).Payload));

        // Delete.
        var deleted = await emu.DeleteRuleAsync("hot_rule");
        Assert.True(deleted.Removed);
        Assert.Null(store.Current.Find("hot_rule"));
        await publisher.PublishAsync("in/hot", "{\"n\":3}");
        await publisher.PublishAsync("marker", "m");
        await inbox.WaitForTopicAsync("marker");
        await emu.Services.GetRequiredService<IoTRuleEmu.Engine.Dispatch.IRuleEngine>().WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        Assert.Equal(2, inbox.Messages.Count(m => m.Topic.StartsWith("out/", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task BrokenFiles_AreReportedWithPosition_AndOtherRulesKeepWorking()
    {
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.Rules["good_rule"] = Republish("in/good", "out/good");
            s.ExpectedError = IsRuleRejected;
        });
        var store = emu.Services.GetRequiredService<IRuleStore>();
        var subscriber = await emu.ConnectAsync("sub");
        var inbox = await subscriber.SubscribeInboxAsync("out/#");
        var publisher = await emu.ConnectAsync("pub");

        // Bad JSON: reported with line and column, skipped.
        var badJson = await emu.WriteRuleAsync("bad_json", "{\n  \"sql\": \"SELECT * FROM 'a'\",\n  \"actions\": [ oops ]\n}");
        Assert.False(badJson.Report!.Succeeded);
        var jsonError = Assert.Single(badJson.Report.Errors);
        Assert.Contains("bad_json.json", jsonError.Source, StringComparison.Ordinal);
        Assert.Equal(3, jsonError.Line);
        Assert.NotNull(jsonError.Column);
        Assert.Null(store.Current.Find("bad_json"));

        // Bad SQL: reported with line and column of the SQL error.
        var badSql = await emu.WriteRuleAsync("bad_sql", """{ "sql": "SELECT * FROM WHERE", "actions": [] }""");
        Assert.False(badSql.Report!.Succeeded);
        var sqlError = Assert.Single(badSql.Report.Errors);
        Assert.Contains("bad_sql.json", sqlError.Source, StringComparison.Ordinal);
        Assert.Equal("sql", sqlError.Path);
        Assert.Contains("SqlParseException", sqlError.Message, StringComparison.Ordinal);
        Assert.Contains("line 1, column 15", sqlError.Message, StringComparison.Ordinal);
        Assert.Null(store.Current.Find("bad_sql"));

        // Breaking a good rule's file keeps its last good version.
        var broken = await emu.WriteRuleAsync("good_rule", "{ \"sql\": ");
        Assert.False(broken.Report!.Succeeded);
        Assert.NotNull(store.Current.Find("good_rule"));

        await publisher.PublishAsync("in/good", "{\"still\":\"works\"}");
        Assert.Equal("{\"still\":\"works\"}", Encoding.UTF8.GetString((await inbox.WaitForTopicAsync("out/good")).Payload));
        Assert.Contains(emu.Sink.Events, e => e.Level >= LogEventLevel.Warning && e.RenderMessage().Contains("bad_json.json", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task FunctionsFile_ReloadsOnChange()
    {
        await using var emu = await TestEmulator.StartAsync(output, s => s.FunctionsJson = """{ "functions": [] }""");
        var registry = emu.Services.GetRequiredService<IoTRuleEmu.Lambda.Functions.IFunctionRegistry>();
        Assert.Empty(registry.Functions);

        var problems = await emu.WriteFunctionsAsync("""{ "functions": [ { "name": "added_later" } ] }""");
        Assert.Empty(problems);
        Assert.True(registry.TryGet("added_later", out _));
    }
}
