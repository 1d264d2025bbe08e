using System.Net;
using System.Text.Json;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Tests.Infrastructure;
using IoTRuleEmu.Tests.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Endpoints;

/// <summary><c>GET /_emulator/stats</c> over real HTTP, after real MQTT publishes.</summary>
public sealed class StatsEndpointsTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task Stats_CountMessages_Records_Attempts_AndScheduledRetries()
    {
        await using var emu = await TestEmulator.StartAsync(output, s =>
        {
            s.FunctionsJson = ArticlePatternTests.FunctionsJson;
            s.Rules["pattern1"] = ArticlePatternTests.Rule("article/pattern1", "invoke_test", "invoke_failed_test");
        });
        var trail = emu.Services.GetRequiredService<ICloudTrailLog>();
        var queue = emu.Services.GetRequiredService<IAsyncInvocationQueue>();
        var engine = emu.Services.GetRequiredService<IRuleEngine>();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{emu.HttpPort}"), Timeout = TestEmulator.Timeout };

        var before = await GetStatsAsync(http);
        Assert.Equal(0, before.GetProperty("mqtt").GetProperty("messagesAccepted").GetInt64());
        Assert.Equal(1, before.GetProperty("rules").GetProperty("loaded").GetInt32());

        var client = await emu.ConnectAsync("device-1");
        await client.PublishAsync("article/pattern1", "{\"n\":1}");
        await client.PublishAsync("no/rule/here", "{\"n\":2}");
        await client.PublishAsync("no/rule/here", "{\"n\":3}");
        await trail.WaitForCountAsync(r => r.EventName == "InvokeExecution", 1).WaitAsync(TestEmulator.Timeout);
        await engine.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);

        var after = await GetStatsAsync(http);
        Assert.Equal(3, after.GetProperty("mqtt").GetProperty("messagesAccepted").GetInt64());
        Assert.Equal(0, after.GetProperty("mqtt").GetProperty("deliveriesDropped").GetInt64());
        Assert.Equal(0, after.GetProperty("rules").GetProperty("pendingWork").GetInt64());
        Assert.Equal(2, after.GetProperty("lambda").GetProperty("cloudTrailRecords").GetInt64()); // Invoke + InvokeExecution
        Assert.Equal(1, after.GetProperty("lambda").GetProperty("executionAttempts").GetInt64());
        Assert.Equal(1, after.GetProperty("lambda").GetProperty("scheduledRetries").GetInt32()); // the function failed

        emu.Clock.Advance(TimeSpan.FromSeconds(60));
        await trail.WaitForCountAsync(r => r.EventName == "InvokeExecution", 2).WaitAsync(TestEmulator.Timeout);
        await queue.WhenIdleAsync().WaitAsync(TestEmulator.Timeout);
        var retried = await GetStatsAsync(http);
        Assert.Equal(3, retried.GetProperty("lambda").GetProperty("cloudTrailRecords").GetInt64());
        Assert.Equal(2, retried.GetProperty("lambda").GetProperty("executionAttempts").GetInt64());
        Assert.Equal(3, retried.GetProperty("mqtt").GetProperty("messagesAccepted").GetInt64());
    }

    private static async Task<JsonElement> GetStatsAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/_emulator/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}
