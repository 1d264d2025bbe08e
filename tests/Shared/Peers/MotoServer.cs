using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace IoTRuleEmu.Testing;

/// <summary><c>moto_server</c> on a free loopback port, with helpers that create resources over its HTTP APIs.</summary>
public sealed class MotoServer : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private MotoServer(PeerProcess process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<MotoServer> StartAsync()
    {
        var port = PeerProcess.FreePort();
        var process = PeerProcess.Start("moto_server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var url = $"http://127.0.0.1:{port}";
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await PeerProcess.WaitForHttpAsync(url + "/moto-api/", deadline.Token);
        return new MotoServer(process, url);
    }

    /// <summary>Creates an IAM role and a Python function (moto stores it; an Event invoke answers 202 without running it).</summary>
    public async Task CreateLambdaFunctionAsync(string name)
    {
        var role = await SendAsync(HttpMethod.Post, "/", "iam", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "CreateRole",
            ["Version"] = "2010-05-08",
            ["RoleName"] = name + "-role",
            ["AssumeRolePolicyDocument"] = "{}",
        }));
        var roleArn = System.Text.RegularExpressions.Regex.Match(role, "<Arn>([^<]+)</Arn>").Groups[1].Value;
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("index.py").Open());
            await writer.WriteAsync("def handler(event, context):\n    return event\n");
        }
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["FunctionName"] = name,
            ["Runtime"] = "python3.12",
            ["Role"] = roleArn,
            ["Handler"] = "index.handler",
            ["Code"] = new Dictionary<string, string> { ["ZipFile"] = Convert.ToBase64String(zip.ToArray()) },
        });
        await SendAsync(HttpMethod.Post, "/2015-03-31/functions", "lambda", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    /// <summary>Creates an SNS topic and subscribes an SQS queue to it; returns the topic ARN.</summary>
    public async Task<string> CreateTopicSubscribedByQueueAsync(string topic, string queueArn)
    {
        var created = await SendAsync(HttpMethod.Post, "/", "sns", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "CreateTopic",
            ["Version"] = "2010-03-31",
            ["Name"] = topic,
        }));
        var topicArn = System.Text.RegularExpressions.Regex.Match(created, "<TopicArn>([^<]+)</TopicArn>").Groups[1].Value;
        await SendAsync(HttpMethod.Post, "/", "sns", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "Subscribe",
            ["Version"] = "2010-03-31",
            ["TopicArn"] = topicArn,
            ["Protocol"] = "sqs",
            ["Endpoint"] = queueArn,
        }));
        return topicArn;
    }

    private async Task<string> SendAsync(HttpMethod method, string path, string service, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, Url + path) { Content = content };
        // moto routes by the service named in the credential scope.
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"moto {service} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }
}
