using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Destinations;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Remote;
using IoTRuleEmu.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Lambda.Tests.Remote;

/// <summary>Remote functions (a signing HTTP double, moto_server's Lambda API) and SQS/SNS destinations (moto_server).</summary>
public class RemoteAndDestinationServiceTests
{
    private const string AccessKey = "AKIDEMULATORTEST";
    private const string SecretKey = "emulator/secret+key";

    private static string ErrorRule(string function) => $$"""
        {"sql":"SELECT * FROM 'r'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:{{function}}"} }],
         "errorAction":{"lambda":{"functionArn":"errors"} } }
        """;

    [Fact]
    public void Verifier_MatchesTheAwsTestSuiteVector()
    {
        // "get-vanilla" from AWS's Signature Version 4 test suite.
        var headers = new Dictionary<string, string>
        {
            ["host"] = "example.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        };
        var expected = SigV4Verifier.Expected("GET", "/", "", headers, [], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", out _, out _);
        Assert.Equal(SigV4Verifier.Actual(headers["authorization"]), expected);
    }

    [Fact]
    public async Task RemoteFunction_EventInvoke_IsForwarded_SignedWithSigV4_AndTheRuleSucceeds()
    {
        await using var remote = await LambdaDouble.StartAsync(202);
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"far","remote":{"endpoint":"{{remote.Url}}","region":"eu-west-1","functionName":"real-function"} },{"name":"errors"}]}
            """, configureServices: s => s.AddSingleton<IAwsCredentialsSource>(new StaticCredentialsSource(AccessKey, SecretKey, "session-token")));
        h.AddRule("remote_rule", ErrorRule("far"));

        await h.PublishAsync("r", """{"reading":42}""");

        var call = Assert.Single(remote.Requests);
        Assert.Equal(("POST", "/2015-03-31/functions/real-function/invocations", "Event"), (call.Method, call.Path, call.Headers["x-amz-invocation-type"]));
        Assert.Equal("""{"reading":42}""", Encoding.UTF8.GetString(call.Body));
        Assert.Equal("session-token", call.Headers["x-amz-security-token"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(call.Body)), call.Headers["x-amz-content-sha256"]);
        var expected = SigV4Verifier.Expected(call.Method, call.Path, call.Query, call.Headers, call.Body, SecretKey, out var scope, out var signed);
        Assert.Equal(expected, SigV4Verifier.Actual(call.Headers["authorization"]));
        Assert.EndsWith("/eu-west-1/lambda/aws4_request", scope, StringComparison.Ordinal);
        Assert.StartsWith("Credential=" + AccessKey + "/", call.Headers["authorization"]["AWS4-HMAC-SHA256 ".Length..], StringComparison.Ordinal);
        Assert.Contains("host", signed.Split(';'));
        Assert.Contains("x-amz-date", signed.Split(';'));
        // The remote service owns the event: nothing runs here, and the error action does not run.
        Assert.Empty(h.Records("far"));
        Assert.Empty(h.Invocations().Snapshot());
        Assert.Equal(1, h.Rules.Current.Find("remote_rule")!.Counters.ActionsSucceeded);
        Assert.Single(h.Logs.WithEventId(EventIds.RemoteInvoke));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(403)]
    [InlineData(500)]
    public async Task RemoteFunction_FailedCall_RunsTheErrorAction_WithTheStatusCode(int status)
    {
        await using var remote = await LambdaDouble.StartAsync(status);
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[{"name":"far","remote":{"endpoint":"{{remote.Url}}","region":"us-east-1"} },{"name":"errors"}]}
            """, configureServices: s => s.AddSingleton<IAwsCredentialsSource>(new StaticCredentialsSource(AccessKey, SecretKey)));
        h.AddRule("remote_rule", ErrorRule("far"));

        await h.PublishAsync("r", "{}");

        Assert.Equal("/2015-03-31/functions/far/invocations", Assert.Single(remote.Requests).Path);
        var errorDocument = Assert.Single(h.Invocations().Snapshot(), i => i.FunctionName == "errors").EventText;
        Assert.Contains($"The error code is {status}", errorDocument, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteFunction_AgainstMotoServer_EventIs202_MissingFunctionIs404()
    {
        await using var moto = await MotoServer.StartAsync();
        await moto.CreateLambdaFunctionAsync("moto-fn");
        await using var h = await LambdaHarness.StartAsync($$"""
            {"functions":[
              {"name":"there","remote":{"endpoint":"{{moto.Url}}","region":"us-east-1","functionName":"moto-fn"} },
              {"name":"gone","remote":{"endpoint":"{{moto.Url}}","region":"us-east-1"} },
              {"name":"errors"}]}
            """, configureServices: s => s.AddSingleton<IAwsCredentialsSource>(new StaticCredentialsSource("test", "test")));
        h.AddRule("to_moto", ErrorRule("there"));
        h.AddRule("to_nothing", ErrorRule("gone").Replace("'r'", "'g'", StringComparison.Ordinal));

        await h.PublishAsync("r", """{"x":1}""");
        await h.PublishAsync("g", """{"x":2}""");

        Assert.Equal(1, h.Rules.Current.Find("to_moto")!.Counters.ActionsSucceeded);
        var remote = h.Logs.WithEventId(EventIds.RemoteInvoke);
        Assert.Equal([202, 404], remote.Select(e => (int)e["StatusCode"]!).Order());
        var errorDocument = Assert.Single(h.Invocations().Snapshot(), i => i.FunctionName == "errors").EventText;
        Assert.Contains("The error code is 404", errorDocument, StringComparison.Ordinal);
        Assert.Contains("\"ruleName\":\"to_nothing\"", errorDocument, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destinations_AndDeadLetterQueue_AreDeliveredToSqsAndSns_AtMotoServer()
    {
        await using var moto = await MotoServer.StartAsync();
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = moto.Url, AuthenticationRegion = "us-east-1" });
        var failures = (await sqs.CreateQueueAsync("failures")).QueueUrl;
        var dlq = (await sqs.CreateQueueAsync("dead-letters")).QueueUrl;
        var snsSink = (await sqs.CreateQueueAsync("sns-sink")).QueueUrl;
        var topicArn = await moto.CreateTopicSubscribedByQueueAsync("successes", "arn:aws:sqs:us-east-1:123456789012:sns-sink");

        await using var h = await LambdaHarness.StartAsync($$"""
            {"endpoints":{"sqs":"{{moto.Url}}","sns":"{{moto.Url}}"},
             "functions":[
              {"name":"bad","behavior":"fail","errorMessage":"Test exception (this is intentional)","maximumRetryAttempts":0,
               "onFailure":"arn:aws:sqs:us-east-1:123456789012:failures","deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dead-letters"},
              {"name":"good","response":{"ok":true},"onSuccess":"{{topicArn}}"}]}
            """, configureServices: s => s.AddSingleton<IAwsCredentialsSource>(new StaticCredentialsSource("test", "test")));
        var lambda = h.Services.GetRequiredService<ILambdaService>();
        var caller = InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012");
        var failed = await lambda.InvokeAsync(new InvokeRequest { FunctionName = "bad", Payload = """{"original":1}"""u8.ToArray(), Caller = caller });
        var succeeded = await lambda.InvokeAsync(new InvokeRequest { FunctionName = "good", Payload = """{"original":2}"""u8.ToArray(), Caller = caller });
        await h.SettleAsync();

        Assert.All(h.Services.GetRequiredService<IDestinationLog>().Snapshot(), d => Assert.Null(d.Error));
        Assert.Equal(["sqs", "sqs", "sns"], h.Services.GetRequiredService<IDestinationLog>().Snapshot().Select(d => d.DeliveredTo).Order(StringComparer.Ordinal).Reverse().OrderBy(x => x == "sns"));

        var failureMessage = await ReceiveOneAsync(sqs, failures);
        using (var record = JsonDocument.Parse(failureMessage.Body))
        {
            Assert.Equal(failed.RequestId, record.RootElement.GetProperty("requestContext").GetProperty("requestId").GetString());
            Assert.Equal("RetriesExhausted", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        }

        var dead = await ReceiveOneAsync(sqs, dlq);
        Assert.Equal("""{"original":1}""", dead.Body);
        Assert.Equal(("String", failed.RequestId), (dead.MessageAttributes["RequestID"].DataType, dead.MessageAttributes["RequestID"].StringValue));
        Assert.Equal(("Number", "200"), (dead.MessageAttributes["ErrorCode"].DataType, dead.MessageAttributes["ErrorCode"].StringValue));
        Assert.Equal(("String", "Test exception (this is intentional)"), (dead.MessageAttributes["ErrorMessage"].DataType, dead.MessageAttributes["ErrorMessage"].StringValue));

        var notification = await ReceiveOneAsync(sqs, snsSink, withAttributes: false);
        using var envelope = JsonDocument.Parse(notification.Body);
        Assert.Equal(topicArn, envelope.RootElement.GetProperty("TopicArn").GetString());
        using var success = JsonDocument.Parse(envelope.RootElement.GetProperty("Message").GetString()!);
        Assert.Equal(succeeded.RequestId, success.RootElement.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("""{"ok":true}""", success.RootElement.GetProperty("responsePayload").GetRawText());
    }

    [Fact]
    public async Task DestinationDeliveryFailure_IsLogged_AndRecorded()
    {
        var port = PeerProcess.FreePort();
        await using var h = await LambdaHarness.StartAsync($$"""
            {"endpoints":{"sqs":"http://127.0.0.1:{{port}}"},
             "functions":[{"name":"bad","behavior":"fail","maximumRetryAttempts":0,"onFailure":"arn:aws:sqs:us-east-1:123456789012:nowhere"}]}
            """, configureServices: s => s.AddSingleton<IAwsCredentialsSource>(new StaticCredentialsSource("test", "test")));
        await h.Services.GetRequiredService<ILambdaService>().InvokeAsync(new InvokeRequest { FunctionName = "bad", Caller = new InvokeCaller("x", null, null, null) });
        await h.SettleAsync();

        var delivery = Assert.Single(h.Services.GetRequiredService<IDestinationLog>().Snapshot());
        Assert.Equal("sqs", delivery.DeliveredTo);
        Assert.NotNull(delivery.Error);
        Assert.Single(h.Logs.WithEventId(EventIds.DestinationDeliveryFailed));
    }

    private static async Task<Message> ReceiveOneAsync(AmazonSQSClient sqs, string queueUrl, bool withAttributes = true)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 5,
            MessageAttributeNames = withAttributes ? ["All"] : null,
        });
        return Assert.Single(response.Messages);
    }

    /// <summary>A Lambda Invoke API double that records each request and answers with a fixed status.</summary>
    private sealed class LambdaDouble : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LambdaDouble(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public List<RecordedRequest> Requests { get; } = [];

        public static async Task<LambdaDouble> StartAsync(int status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            LambdaDouble? self = null;
            app.Run(async context =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
                lock (self!.Requests)
                {
                    self.Requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "", headers, buffer.ToArray()));
                }
                context.Response.StatusCode = status;
                if (status >= 400)
                {
                    context.Response.Headers["x-amzn-ErrorType"] = status == 429 ? "TooManyRequestsException" : status == 403 ? "AccessDeniedException" : "ServiceException";
                    await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["message"] = "double says " + status });
                }
            });
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            self = new LambdaDouble(app, url);
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed record RecordedRequest(string Method, string Path, string Query, Dictionary<string, string> Headers, byte[] Body);
}
