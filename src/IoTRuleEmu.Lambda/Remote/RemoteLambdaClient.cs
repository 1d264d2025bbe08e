using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Remote;

/// <summary>The answer of a remote Lambda Invoke call.</summary>
/// <param name="StatusCode">HTTP status (0 when the endpoint could not be reached).</param>
public sealed record RemoteInvokeResponse(int StatusCode, byte[] Body, string? ErrorCode, string? ErrorMessage, string? FunctionError, string? ExecutedVersion, string? RequestId);

/// <summary>
/// Makes the real Invoke call for a function marked <c>remote</c>: <c>POST {endpoint}/2015-03-31/functions/{name}/invocations</c>
/// with <c>X-Amz-Invocation-Type</c>, signed with SigV4 (service <c>lambda</c>, the function's region) using the
/// <see cref="IAwsCredentialsSource"/> (AWSSDK.Core's credential chain by default). Signing uses the real clock
/// (<see cref="SigningClock"/>), not the emulator's, so a virtual clock cannot make signatures stale.
/// </summary>
public sealed class RemoteLambdaClient(IAwsCredentialsSource credentials) : IDisposable
{
    // Created on first use: the HTTP stack stays unloaded unless a remote function is invoked.
    private HttpClient? _http;

    private HttpClient Http => LazyInitializer.EnsureInitialized(ref _http, static () => new HttpClient { Timeout = TimeSpan.FromSeconds(60) });

    /// <summary>The clock signatures are dated with. Defaults to the system clock.</summary>
    public TimeProvider SigningClock { get; init; } = TimeProvider.System;

    public async Task<RemoteInvokeResponse> InvokeAsync(RemoteFunctionSpec remote, string functionName, string invocationType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var url = remote.Endpoint.TrimEnd('/') + "/2015-03-31/functions/" + Uri.EscapeDataString(remote.FunctionName ?? functionName) + "/invocations";
        var creds = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        if (creds is null)
        {
            return new RemoteInvokeResponse(403, [], "MissingAuthenticationTokenException",
                "No AWS credentials found for the remote Lambda call (AWSSDK.Core credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …).", null, null, null);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", invocationType);
        await AwsRequestSigner.SignAsync(request, creds, remote.Region, "lambda", SigningClock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return new RemoteInvokeResponse(0, [], "ServiceException", $"Cannot reach the remote Lambda endpoint {remote.Endpoint}: {ex.Message}", null, null, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RemoteInvokeResponse(0, [], "ServiceException", $"The remote Lambda endpoint {remote.Endpoint} did not answer in time.", null, null, null);
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var requestId = Header(response, "x-amzn-RequestId");
            if (status is >= 200 and < 300)
            {
                return new RemoteInvokeResponse(status, body, null, null, Header(response, "X-Amz-Function-Error"), Header(response, "X-Amz-Executed-Version"), requestId);
            }
            var code = Header(response, "x-amzn-ErrorType")?.Split(':')[0];
            string? message = null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    code ??= doc.RootElement.TryGetProperty("__type", out var t) ? t.GetString()?.Split('#')[^1] : null;
                    message = doc.RootElement.TryGetProperty("Message", out var m) || doc.RootElement.TryGetProperty("message", out m) ? m.GetString() : null;
                }
            }
            catch (JsonException)
            {
                message = Encoding.UTF8.GetString(body);
            }
            return new RemoteInvokeResponse(status, body, code ?? "ServiceException", message ?? response.ReasonPhrase, null, null, requestId);
        }
    }

    public void Dispose() => _http?.Dispose();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
