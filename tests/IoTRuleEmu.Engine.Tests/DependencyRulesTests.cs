namespace IoTRuleEmu.Engine.Tests;

/// <summary>Dependencies point one way: Sql ← Engine ← Lambda / Actions ← host.</summary>
public class DependencyRulesTests
{
    private static string[] References(Type typeInAssembly) =>
        [.. typeInAssembly.Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    [Fact]
    public void Engine_DoesNotReferenceLambdaActionsHostOrMqttNet()
    {
        var references = References(typeof(IoTRuleEmu.Engine.Dispatch.RuleEngine));
        Assert.Contains("IoTRuleEmu.Sql", references);
        Assert.DoesNotContain(references, r => r.StartsWith("IoTRuleEmu.Lambda", StringComparison.Ordinal)
            || r.StartsWith("IoTRuleEmu.Actions", StringComparison.Ordinal) || r == "IoTRuleEmu" || r.StartsWith("MQTTnet", StringComparison.Ordinal));
    }

    [Fact]
    public void LambdaAndActions_DoNotReferenceEachOtherOrMqttNet()
    {
        var lambda = References(typeof(IoTRuleEmu.Lambda.Invocation.LambdaService));
        var actions = References(typeof(IoTRuleEmu.Actions.Republish.RepublishAction));
        Assert.DoesNotContain("IoTRuleEmu.Actions", lambda);
        Assert.DoesNotContain("IoTRuleEmu.Lambda", actions);
        Assert.DoesNotContain(lambda.Concat(actions), r => r.StartsWith("MQTTnet", StringComparison.Ordinal));
    }
}
