using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Permissions;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests;

public class PermissionTests
{
    private const string Rule = """
        {"sql":"SELECT * FROM 'p'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:guarded"}}],
         "errorAction":{"lambda":{"functionArn":"invoke_failed_test"}}}
        """;

    [Fact]
    public async Task FunctionWithoutIotPermission_Fails403_AndRunsTheErrorAction()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.Functions().SetSource("template", [new FunctionDefinition { Name = "guarded", AllowIoT = false }]);
        h.AddRule("perm", Rule);

        await h.PublishAsync("p", "{}");

        Assert.Empty(h.Records("guarded"));
        var errorEvent = System.Text.Encoding.UTF8.GetString(Assert.Single(h.Invocations().Snapshot()).Event.Span);
        Assert.Contains("The error code is 403", errorEvent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyStatement_AllowsTheRule()
    {
        var policy = new RulePolicy();
        await using var h = await LambdaHarness.StartAsync(configureServices: s => s.AddSingleton<IFunctionPolicy>(policy));
        h.Functions().SetSource("template", [new FunctionDefinition { Name = "guarded", AllowIoT = false }]);
        h.AddRule("perm", Rule);

        await h.PublishAsync("p", "{}");

        Assert.Equal(["Invoke", "InvokeExecution"], h.Records("guarded").Select(r => r.EventName));
        Assert.Empty(h.Records("invoke_failed_test"));
        Assert.Equal(("guarded", "iot.amazonaws.com", "arn:aws:iot:us-east-1:123456789012:rule/perm", "123456789012"), policy.Asked);
    }

    private sealed class RulePolicy : IFunctionPolicy
    {
        public (string, string, string?, string?) Asked { get; private set; }

        public bool AllowsInvoke(string functionName, string principal, string? sourceArn, string? sourceAccount)
        {
            Asked = (functionName, principal, sourceArn, sourceAccount);
            return sourceArn == "arn:aws:iot:us-east-1:123456789012:rule/perm";
        }
    }
}
