using System.Net.Http.Headers;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Runners;

/// <summary>
/// <c>"invokeEndpoint"</c>: each attempt is a synchronous Invoke (<c>X-Amz-Invocation-Type: RequestResponse</c>) of a Lambda
/// Invoke API that runs functions, e.g. <c>sam local start-lambda</c>, the Runtime Interface Emulator, LocalStack. A 200
/// answer with <c>X-Amz-Function-Error</c> is a function error (the body is the error document); 200 without it is success;
/// any other status is a function error naming the status and the service's error type.
/// </summary>
public sealed class InvokeEndpointRunner(InvokeEndpointSpec spec, HttpClient client, string functionName) : IFunctionRunner
{
    public string InvokeUrl { get; } = spec.Url.TrimEnd('/') + "/2015-03-31/functions/" + Uri.EscapeDataString(spec.FunctionName ?? functionName) + "/invocations";

    public async ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        using var request = new HttpRequestMessage(HttpMethod.Post, InvokeUrl)
        {
            Content = new ReadOnlyMemoryContent(invocation.EventOrEmptyObject),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
        request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "None");
        request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", invocation.TraceId);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return FunctionResult.Unhandled($"Invoke {InvokeUrl} failed: {ex.Message}{(ex.InnerException is { } inner ? " (" + inner.Message + ")" : "")}", "Runtime.InvokeEndpointError", requestId: invocation.RequestId);
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode == 200)
            {
                return response.Headers.TryGetValues("X-Amz-Function-Error", out var kind)
                    ? FunctionResult.FromErrorBody(body, kind.FirstOrDefault(), "Function error", invocation.RequestId)
                    : FunctionResult.Success(body);
            }
            var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var t) ? t.First().Split(':')[0] : "ServiceException";
            return FunctionResult.FromErrorBody(ReadOnlyMemory<byte>.Empty, errorType,
                $"Invoke {InvokeUrl} answered {(int)response.StatusCode} {errorType}: {System.Text.Encoding.UTF8.GetString(body)}", invocation.RequestId);
        }
    }
}
