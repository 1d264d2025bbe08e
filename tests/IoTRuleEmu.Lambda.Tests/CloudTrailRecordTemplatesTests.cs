using System.Text;
using IoTRuleEmu.Lambda.CloudTrail;

namespace IoTRuleEmu.Lambda.Tests;

/// <summary>
/// The templates are an optimisation of <see cref="CloudTrailJson.Serialize"/>: whatever the record, their bytes must be
/// the general path's bytes.
/// </summary>
public class CloudTrailRecordTemplatesTests
{
    private static readonly string[] FunctionNames = ["fn", "bench_succeed", "quote\"d", "<tag>&'", "naïve-λ", "tab\tname"];

    private static CloudTrailRecord Record(Random random, string? requestId = null, string? eventId = null)
    {
        var name = FunctionNames[random.Next(FunctionNames.Length)];
        var arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name;
        var invoke = random.Next(2) == 0;
        var invokedBy = invoke ? CloudTrailRecord.IotService : CloudTrailRecord.LambdaEventSource;
        return new CloudTrailRecord
        {
            UserIdentity = CloudTrailUserIdentity.Service(invokedBy),
            EventTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(0, 400_000_000)).AddTicks(random.Next(0, 10_000_000)),
            EventName = invoke ? CloudTrailRecord.InvokeEventName : CloudTrailRecord.InvokeExecutionEventName,
            AwsRegion = random.Next(4) == 0 ? "eu-west-1" : "us-east-1",
            SourceIpAddress = random.Next(5) == 0 ? "127.0.0.1" : invokedBy,
            UserAgent = invokedBy,
            RequestParameters = invoke
                ? new InvokeRequestParameters(arn, "Event", random.Next(3) == 0 ? null : "arn:aws:iot:us-east-1:123456789012:rule/r" + random.Next(5), random.Next(3) == 0 ? null : "123456789012")
                : null,
            FunctionVersion = arn + ":$LATEST",
            RequestId = requestId ?? Guid.NewGuid().ToString(),
            EventId = eventId ?? Guid.NewGuid().ToString(),
            ReadOnly = random.Next(10) == 0,
            Resources = [CloudTrailResource.Function("123456789012", arn)],
            RecipientAccountId = "123456789012",
        };
    }

    [Fact]
    public void ManyRecordsOfManyShapes_AreTheGeneralPathsBytes()
    {
        var random = new Random(20261128);
        var templates = new CloudTrailRecordTemplates();
        for (var i = 0; i < 20_000; i++)
        {
            var record = Record(random);
            var expected = Encoding.UTF8.GetString(CloudTrailJson.Serialize(record));
            Assert.Equal(expected, Encoding.UTF8.GetString(templates.Serialize(record)));
        }
        // Shapes were reused (otherwise every record would have taken the general path and proven nothing).
        Assert.InRange(templates.Count, 2, 2_000);
    }

    /// <summary>Ids that JSON escapes, or none at all, once a template for the shape exists.</summary>
    [Theory]
    [InlineData("with \"quote\"", "e1")]
    [InlineData("r1", "é")]
    [InlineData("", "e1")]
    public void UnusualIds_AreWrittenAsTheGeneralPathWritesThem(string requestId, string eventId)
    {
        var templates = new CloudTrailRecordTemplates();
        templates.Serialize(Record(new Random(7)));
        Assert.Equal(1, templates.Count);
        var record = Record(new Random(7), requestId, eventId);
        Assert.Equal(Encoding.UTF8.GetString(CloudTrailJson.Serialize(record)), Encoding.UTF8.GetString(templates.Serialize(record)));
    }
}
