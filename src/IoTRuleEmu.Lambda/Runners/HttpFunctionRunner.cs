using System.Globalization;
using System.Net.Http.Headers;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Runners;

/// <summary>
/// <c>"http"</c>: each attempt POSTs the event (JSON) to the URL. A 2xx answer is success with the body as the response;
/// anything else is a function error (the body, or its <c>errorMessage</c>, is the message). Headers sent:
/// <c>Lambda-Runtime-Aws-Request-Id</c>, <c>Lambda-Runtime-Invoked-Function-Arn</c>, <c>Lambda-Runtime-Deadline-Ms</c>,
/// <c>X-IoTRuleEmu-Attempt</c>, plus the spec's own headers.
/// </summary>
public sealed class HttpFunctionRunner(HttpFunctionSpec spec, HttpClient client) : IFunctionRunner
{
    public async ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        using var request = new HttpRequestMessage(HttpMethod.Post, spec.Url)
        {
            Content = new ReadOnlyMemoryContent(invocation.EventOrEmptyObject),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Lambda-Runtime-Aws-Request-Id", invocation.RequestId);
        request.Headers.TryAddWithoutValidation("Lambda-Runtime-Invoked-Function-Arn", invocation.InvokedFunctionArn ?? invocation.Function.Arn);
        request.Headers.TryAddWithoutValidation("Lambda-Runtime-Deadline-Ms", invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("X-IoTRuleEmu-Attempt", invocation.Attempt.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in spec.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return FunctionResult.Unhandled($"POST {spec.Url} failed: {ex.Message}{(ex.InnerException is { } inner ? " (" + inner.Message + ")" : "")}", "Runtime.HttpError", requestId: invocation.RequestId);
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return FunctionResult.Success(body);
            }
            return FunctionResult.FromErrorBody(body, "HttpError",
                string.Create(CultureInfo.InvariantCulture, $"POST {spec.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}"), invocation.RequestId);
        }
    }
}
