using System.Net;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;

namespace IoTRuleEmu.AwsApi.Tests.Protocol;

/// <summary>Routing by X-Amz-Target / credential scope / path, the error shape of each protocol, and the /_emulator endpoints.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class ProtocolTests(SharedEmulator shared)
{
    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
    private readonly ApiEmulator _emu = shared.Emulator;

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "us-east-1", "iot")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/iotdata/aws4_request,SignedHeaders=host,Signature=0", "eu-west-1", "iotdata")]
    public void SigV4Credential_ReadsTheScope(string authorization, string region, string service)
    {
        var credential = SigV4Credential.Read(authorization, null, out var error);
        Assert.Null(error);
        Assert.Equal(region, credential!.Region);
        Assert.Equal(service, credential.Service);
        Assert.Equal("AKID", credential.AccessKeyId);
    }

    [Fact]
    public void SigV4Credential_MalformedOrAbsent()
    {
        Assert.Null(SigV4Credential.Read(null, null, out var none));
        Assert.Null(none);
        Assert.Null(SigV4Credential.Read("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iot/aws4_request", null, out var missing));
        Assert.Contains("requires 'Signature' parameter", missing, StringComparison.Ordinal);
        Assert.Null(SigV4Credential.Read("AWS4-HMAC-SHA256 Credential=AKID/us-east-1/iot, SignedHeaders=host, Signature=x", null, out var scope));
        Assert.Contains("5 slash-delimited elements", scope, StringComparison.Ordinal);
        Assert.Equal("lambda", SigV4Credential.Read(null, "AKID/20260101/us-east-1/lambda/aws4_request", out _)!.Service);
    }

    [Fact]
    public async Task Json11_Errors_HaveTypeAndMessage()
    {
        using var http = new HttpClient();
        var bad = await Post(http, Target + "LookupEvents", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("SerializationException", bad.Body.GetProperty("__type").GetString());
        Assert.StartsWith("Could not parse the request body as JSON", bad.Body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var unknown = await Post(http, Target + "CreateTrail", "{}");
        Assert.Equal("UnknownOperationException", unknown.Body.GetProperty("__type").GetString());

        var shortTarget = await Post(http, "CloudTrail_20131101.LookupEvents", "{}");
        Assert.Equal("UnknownOperationException", shortTarget.Body.GetProperty("__type").GetString());
        Assert.Contains("full", shortTarget.Body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var ok = await Post(http, Target + "LookupEvents", "{\"MaxResults\":1}");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(JsonValueKind.Array, ok.Body.GetProperty("Events").ValueKind);
    }

    [Fact]
    public async Task RestJson_UnknownOperation_AndUnsignedPathRouting()
    {
        using var http = new HttpClient();
        using var unknown = await http.PutAsync(_emu.Endpoint + "/rules/x/enable", new StringContent(""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("UnknownOperationException", unknown.Headers.GetValues("x-amzn-ErrorType").Single());

        // Unsigned (curl-style) publish with an unencoded multi-level topic.
        using var publish = await http.PostAsync(_emu.Endpoint + "/topics/curl/plain/topic?qos=1", new StringContent("{\"a\":1}"));
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var body = JsonDocument.Parse(await publish.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("OK", body.GetProperty("message").GetString());
        Assert.True(body.TryGetProperty("traceId", out _));
        Assert.True(publish.Headers.Contains("x-amzn-RequestId"));

        // A request signed for IoT but sent to a data-plane path: the scope decides, IoT has no such operation.
        using var request = new HttpRequestMessage(HttpMethod.Post, _emu.Endpoint + "/topics/a");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=0");
        using var wrongService = await http.SendAsync(request);
        Assert.Equal("UnknownOperationException", wrongService.Headers.GetValues("x-amzn-ErrorType").Single());

        using var malformed = new HttpRequestMessage(HttpMethod.Get, _emu.Endpoint + "/rules");
        malformed.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iot/aws4_request");
        using var incomplete = await http.SendAsync(malformed);
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        Assert.Equal("IncompleteSignatureException", incomplete.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task EmulatorEndpoints_ShowRulesWithCountersAndRecentInvocations()
    {
        var payload = """{"sql":"SELECT * FROM 'counters/in'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:ok_fn"}},{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:nowhere_fn"}}],"errorAction":{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:sink_fn"}}}""";
        Assert.Equal(0, (await Processes.AwsAsync(_emu.Endpoint, "iot", "create-topic-rule", "--rule-name", "counters_rule", "--topic-rule-payload", payload)).ExitCode);
        Assert.Equal(0, (await Processes.AwsAsync(_emu.Endpoint, "iot-data", "publish", "--topic", "counters/in", "--payload", "{\"n\":1}")).ExitCode);
        await _emu.WhenIdleAsync();

        using var http = new HttpClient();
        var rules = JsonDocument.Parse(await http.GetStringAsync(_emu.Endpoint + "/_emulator/rules")).RootElement;
        var rule = rules.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleName").GetString() == "counters_rule");
        Assert.Equal("api", rule.GetProperty("origin").GetString());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        var counters = rule.GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("messagesMatched").GetInt64());
        Assert.Equal(1, counters.GetProperty("actionsSucceeded").GetInt64());
        Assert.Equal(1, counters.GetProperty("actionsFailed").GetInt64());
        Assert.Equal(1, counters.GetProperty("errorActionsRun").GetInt64());
        Assert.Contains("404", rule.GetProperty("lastError").GetProperty("message").GetString(), StringComparison.Ordinal);
        var fileRule = rules.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleName").GetString() == "file_rule");
        Assert.Equal("file", fileRule.GetProperty("origin").GetString());

        var one = JsonDocument.Parse(await http.GetStringAsync(_emu.Endpoint + "/_emulator/rules/counters_rule")).RootElement;
        Assert.Equal("counters/in", one.GetProperty("topicFilter").GetString());
        using var missing = await http.GetAsync(_emu.Endpoint + "/_emulator/rules/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var invocations = JsonDocument.Parse(await http.GetStringAsync(_emu.Endpoint + "/_emulator/invocations?functionName=sink_fn&limit=5")).RootElement;
        var latest = invocations.GetProperty("invocations")[0];
        Assert.Equal("sink_fn", latest.GetProperty("functionName").GetString());
        Assert.Equal("counters_rule", latest.GetProperty("ruleName").GetString());
        Assert.Equal("counters_rule", latest.GetProperty("event").GetProperty("ruleName").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient http, string target, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _emu.Endpoint + "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
