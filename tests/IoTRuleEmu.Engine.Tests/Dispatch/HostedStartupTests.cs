using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Engine.Tests.Dispatch;

public class HostedStartupTests
{
    [Fact]
    public async Task RulesDirectoryOption_IsLoadedWhenTheEngineStarts()
    {
        var dir = Path.Combine(Path.GetTempPath(), "iotruleemu-startup", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "startup_rule.json"), """{"sql":"SELECT * FROM 's'","actions":[{"lambda":{"target":"t"}}]}""");
        var actions = new RecordingActionFactory("lambda");
        try
        {
            await using var h = await EmulatorHarness.StartAsync(
                services => services.AddSingleton<IRuleActionFactory>(actions),
                configureEngine: o => o.RulesDirectory = dir);

            Assert.Equal(["startup_rule"], h.Rules.Current.Rules.Select(r => r.Name));
            await h.PublishAsync("s", "{}");
            Assert.Single(actions.Executions);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
