using System.Net;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.AwsApi.Tests.Cli;

/// <summary>
/// LookupEvents reads <c>cloudtrail.jsonl</c>: it finds more records than memory holds, and the records of an earlier run
/// on the same data folder.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudTrailHistoryTests
{
    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    private const int Invokes = 300;

    private static async Task<JsonElement> LookupAsync(HttpClient http, ApiEmulator emu, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, emu.Endpoint + "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Every Invoke event id, following NextToken through pages of 50.</summary>
    private static async Task<List<string>> AllInvokeEventIdsAsync(HttpClient http, ApiEmulator emu)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var body = """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Invoke"}],"MaxResults":50""" +
                (token is null ? "}" : ",\"NextToken\":" + JsonSerializer.Serialize(token) + "}");
            var page = await LookupAsync(http, emu, body);
            foreach (var e in page.GetProperty("Events").EnumerateArray())
            {
                ids.Add(e.GetProperty("EventId").GetString()!);
                using var record = JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!);
                Assert.Equal("Invoke", record.RootElement.GetProperty("eventName").GetString());
            }
            token = page.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);
        return ids;
    }

    [Fact]
    public async Task LookupEvents_FindsEveryRecordInTheFile_BeyondMemory_AndAfterARestart()
    {
        var data = Directory.CreateTempSubdirectory("awsapi-trail-").FullName;
        using var http = new HttpClient();
        try
        {
            List<string> before;
            var first = await ApiEmulator.StartAsync(data);
            try
            {
                var lambda = first.Services.GetRequiredService<ILambdaService>();
                for (var i = 0; i < Invokes; i++)
                {
                    var result = await lambda.InvokeAsync(new InvokeRequest
                    {
                        FunctionName = "ok_fn",
                        Payload = Encoding.UTF8.GetBytes("{\"i\":" + i + "}"),
                        Caller = new InvokeCaller("203.0.113.9", null, null, null),
                    });
                    Assert.Equal(202, result.StatusCode);
                }
                await first.WhenIdleAsync();
                // Memory holds the most recent records only; the file holds all 600 (Invoke + InvokeExecution).
                Assert.True(first.Services.GetRequiredService<ICloudTrailLog>().Snapshot().Count < 2 * Invokes);

                before = await AllInvokeEventIdsAsync(http, first);
                Assert.Equal(Invokes, before.Count);
                Assert.Equal(Invokes, before.Distinct().Count());
            }
            finally
            {
                await first.DisposeAsync();
                first.DeleteFiles();
            }

            var second = await ApiEmulator.StartAsync(data);
            try
            {
                Assert.Empty(second.Services.GetRequiredService<ICloudTrailLog>().Snapshot());
                Assert.Equal(before, await AllInvokeEventIdsAsync(http, second));
            }
            finally
            {
                await second.DisposeAsync();
                second.DeleteFiles();
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
