using Microsoft.Extensions.Logging;
using System.Text;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTRuleEmu.Lambda.Tests;

public class CloudTrailTests
{
    [Fact]
    public void Serialize_InvokeRecord_HasCloudTrailShapeAndOrder()
    {
        var record = new CloudTrailRecord
        {
            UserIdentity = CloudTrailUserIdentity.Service("iot.amazonaws.com"),
            EventTime = new DateTimeOffset(2019, 1, 24, 5, 20, 38, 789, TimeSpan.Zero),
            EventName = "Invoke",
            AwsRegion = "us-east-1",
            SourceIpAddress = "iot.amazonaws.com",
            UserAgent = "iot.amazonaws.com",
            RequestParameters = new InvokeRequestParameters("arn:aws:lambda:us-east-1:123456789012:function:fn", "Event", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"),
            FunctionVersion = "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
            RequestId = "req-1",
            EventId = "evt-1",
            Resources = [CloudTrailResource.Function("123456789012", "arn:aws:lambda:us-east-1:123456789012:function:fn")],
            RecipientAccountId = "123456789012",
        };

        Assert.Equal(
            """{"eventVersion":"1.11","userIdentity":{"type":"AWSService","invokedBy":"iot.amazonaws.com"},"eventTime":"2019-01-24T05:20:38Z","eventSource":"lambda.amazonaws.com","eventName":"Invoke","awsRegion":"us-east-1","sourceIPAddress":"iot.amazonaws.com","userAgent":"iot.amazonaws.com","requestParameters":{"functionName":"arn:aws:lambda:us-east-1:123456789012:function:fn","invocationType":"Event","sourceArn":"arn:aws:iot:us-east-1:123456789012:rule/r","sourceAccount":"123456789012"},"responseElements":null,"additionalEventData":{"functionVersion":"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"},"requestID":"req-1","eventID":"evt-1","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:us-east-1:123456789012:function:fn"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}""",
            Encoding.UTF8.GetString(CloudTrailJson.Serialize(record)));
    }

    [Fact]
    public async Task EveryRecord_IsAlsoAStructuredLogEvent()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("logged", """{"sql":"SELECT * FROM 'l'","actions":[{"lambda":{"functionArn":"invoke_failed_test"}}]}""");
        await h.PublishAsync("l", "{}");

        var logs = h.Logs.WithEventId(Engine.Logging.EventIds.CloudTrailRecord);
        Assert.Equal(["Invoke", "InvokeExecution"], logs.Select(l => (string)l["EventName"]!));
        Assert.All(logs, l => Assert.Equal("IoTRuleEmu.Lambda.CloudTrail", l.Category));
        var record = h.CloudTrail().Snapshot()[0];
        Assert.Equal(record.RequestId, logs[0]["RequestId"]);
        // Not "EventId": that name is the log event's own id in Serilog and would hide the record's eventID.
        Assert.Equal(record.EventId, logs[0]["CloudTrailEventId"]);
        Assert.Null(logs[0]["EventId"]);
        // The record's UTF-8 line as written to cloudtrail.jsonl; a logger sees it as its string.
        var line = Assert.IsType<Engine.Logging.Utf8LogValue>(logs[0]["Record"]);
        Assert.Equal(Encoding.UTF8.GetString(CloudTrailJson.Serialize(record)), line.ToString());
    }

    [Fact]
    public async Task SuccessfulInvocation_LogsOnlyItsCloudTrailRecordsAtInformation()
    {
        // "accepted", "running" and "succeeded" repeat the CloudTrail lines: Debug, so that a busy emulator's log
        // (and its CPU) is not dominated by them. Failures, retries and drops stay visible.
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("quiet", """{"sql":"SELECT * FROM 'q'","actions":[{"lambda":{"functionArn":"invoke_failed_test"}}]}""");
        await h.PublishAsync("q", "{}");

        var lambdaInfo = h.Logs.Entries.Where(e => e.Category.StartsWith("IoTRuleEmu.Lambda", StringComparison.Ordinal)
            && e.Level >= LogLevel.Information && e["RequestId"] is not null);
        Assert.All(lambdaInfo, e => Assert.Equal(Engine.Logging.EventIds.CloudTrailRecord, e.EventId.Id));
        Assert.Equal(2, lambdaInfo.Count());
        foreach (var id in new[] { Engine.Logging.EventIds.InvokeAccepted, Engine.Logging.EventIds.AttemptStarted, Engine.Logging.EventIds.AttemptSucceeded })
        {
            Assert.Equal(LogLevel.Debug, Assert.Single(h.Logs.WithEventId(id)).Level);
        }
    }

    [Fact]
    public async Task WaitForAsync_SeesPastAndFutureRecords()
    {
        await using var h = await LambdaHarness.StartAsync();
        h.AddRule("w", """{"sql":"SELECT * FROM 'w'","actions":[{"lambda":{"functionArn":"invoke_test"}}]}""");

        var third = h.CloudTrail().WaitForCountAsync(r => r.EventName == "InvokeExecution", 3, h.Timeout);
        await h.PublishAsync("w", "{}");
        var first = await h.CloudTrail().WaitForAsync(r => r.EventName == "Invoke", h.Timeout);
        Assert.False(third.IsCompleted);

        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        await h.AdvanceAsync(TimeSpan.FromSeconds(120));
        var all = await third;
        Assert.Equal(3, all.Count);
        Assert.All(all, r => Assert.Equal(first.RequestId, r.RequestId));
    }

    [Fact]
    public async Task JsonLinesWriter_FlushAsync_PutsEveryLineOnDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), "iotruleemu-jsonl", Guid.NewGuid().ToString("N"), "x.jsonl");
        await using (var writer = new JsonLinesFileWriter(path, NullLogger.Instance))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Append(Encoding.UTF8.GetBytes($$"""{"i":{{i}}}"""));
            }
            await writer.FlushAsync();
            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(100, lines.Length);
            Assert.Equal("""{"i":99}""", lines[^1]);
        }
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
