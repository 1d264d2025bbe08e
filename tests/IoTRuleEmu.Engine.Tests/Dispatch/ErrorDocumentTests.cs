using System.Text;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Dispatch;

namespace IoTRuleEmu.Engine.Tests.Dispatch;

public class ErrorDocumentTests
{
    [Fact]
    public void Build_WritesTheDocumentedShape()
    {
        var message = new InboundMessage
        {
            Topic = "testme/action",
            Payload = Encoding.UTF8.GetBytes("{\n  \"message\": \"Hello vrom AWS IoT console\"\n}"),
            ClientId = "iotconsole-1511213971966-0",
            SourceIp = "10.0.0.0",
        };
        var json = Encoding.UTF8.GetString(ErrorDocument.Build("TestAction", message, "7e146a2c-95b5-6caf-98b9-50e3969734c7",
            [new ActionFailure("LambdaAction", "arn:aws:lambda:us-east-1:123456789012:function:f", "Failed to invoke lambda function. Received Server error from Lambda. The error code is 404")]));

        Assert.Equal(
            """{"ruleName":"TestAction","topic":"testme/action","cloudwatchTraceId":"7e146a2c-95b5-6caf-98b9-50e3969734c7","clientId":"iotconsole-1511213971966-0","sourceIp":"10.0.0.0","base64OriginalPayload":"ewogICJtZXNzYWdlIjogIkhlbGxvIHZyb20gQVdTIElvVCBjb25zb2xlIgp9","failures":[{"failedAction":"LambdaAction","failedResource":"arn:aws:lambda:us-east-1:123456789012:function:f","errorMessage":"Failed to invoke lambda function. Received Server error from Lambda. The error code is 404"}]}""",
            json);
    }

    [Fact]
    public void Build_MessageWithoutClientOrIp_UsesNaAndOmitsSourceIp()
    {
        var json = Encoding.UTF8.GetString(ErrorDocument.Build("r", new InboundMessage { Topic = "t" }, "id", [new ActionFailure("RepublishAction", null, "x")]));
        Assert.Equal("""{"ruleName":"r","topic":"t","cloudwatchTraceId":"id","clientId":"n/a","base64OriginalPayload":"","failures":[{"failedAction":"RepublishAction","errorMessage":"x"}]}""", json);
    }
}
