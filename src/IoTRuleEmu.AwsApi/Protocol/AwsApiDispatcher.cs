using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>
/// Routes a request to a service the way AWS protocols identify them: the JSON 1.1 <c>X-Amz-Target</c> header first,
/// then the SigV4 credential scope's service name, then the path. Checks the credential's region, reads the body, and
/// turns every failure into the service's error shape (never a bare 500).
/// </summary>
public sealed partial class AwsApiDispatcher
{
    private readonly Dictionary<AwsServiceKind, IAwsServiceHandler> _handlers;
    private readonly AwsApiOptions _options;
    private readonly ILogger _logger;

    public AwsApiDispatcher(IEnumerable<IAwsServiceHandler> handlers, IOptions<AwsApiOptions> options, ILogger<AwsApiDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _handlers = handlers.ToDictionary(h => h.Service);
        _options = options.Value;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;

        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var credential = SigV4Credential.Read(
            context.Request.Headers.Authorization.ToString(),
            context.Request.Query["X-Amz-Credential"].ToString(),
            out var signatureError);
        var rawPath = AwsRequest.RawPathOf(context);
        var segments = AwsRequest.SplitPath(rawPath);

        AwsServiceKind? service;
        string? operation = null;
        if (target.Length > 0)
        {
            if (target.StartsWith(AwsServices.CloudTrailTargetPrefix + ".", StringComparison.Ordinal))
            {
                service = AwsServiceKind.CloudTrail;
                operation = target[(AwsServices.CloudTrailTargetPrefix.Length + 1)..];
            }
            else
            {
                // A JSON 1.1 service that is not emulated (or a shortened CloudTrail target).
                await AwsResponses.WriteErrorAsync(context, AwsServiceKind.CloudTrail,
                    new AwsApiException("UnknownOperationException", 400,
                        $"X-Amz-Target '{target}' names no operation served by this emulator (CloudTrail needs the full '{AwsServices.CloudTrailTargetPrefix}.<Operation>').")).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            service = AwsServices.FromSigningName(credential?.Service) ?? (segments.Count > 0 ? AwsServices.FromPath(segments[0]) : null);
        }
        if (service is null)
        {
            await AwsResponses.WriteErrorAsync(context, AwsServiceKind.Iot,
                new AwsApiException("UnknownOperationException", 404,
                    $"No emulated AWS service answers {context.Request.Method} {rawPath}" +
                    (credential is null ? "." : $" (signed for service '{credential.Service}')."))).ConfigureAwait(false);
            return;
        }

        try
        {
            if (signatureError is not null)
            {
                throw CommonErrors.IncompleteSignature(signatureError, context.Request.Headers.Authorization.ToString());
            }
            if (credential is not null && !string.Equals(credential.Region, _options.Region, StringComparison.Ordinal))
            {
                throw CommonErrors.WrongRegion(credential.Region);
            }
            var body = await ReadBodyAsync(context, service.Value).ConfigureAwait(false);
            var request = new AwsRequest(context, service.Value, requestId, credential, operation, body);
            if (!_handlers.TryGetValue(service.Value, out var handler) || !await handler.HandleAsync(request).ConfigureAwait(false))
            {
                throw CommonErrors.UnknownOperation(service.Value, context.Request.Method, operation ?? rawPath);
            }
        }
        catch (AwsApiException ex)
        {
            if (!context.Response.HasStarted)
            {
                await AwsResponses.WriteErrorAsync(context, service.Value, ex).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RequestFailed(_logger, ex, context.Request.Method, rawPath, service.Value.ToString(), requestId);
            if (!context.Response.HasStarted)
            {
                await AwsResponses.WriteErrorAsync(context, service.Value,
                    CommonErrors.Internal(service.Value, $"Internal error in the emulator ({ex.GetType().Name}: {ex.Message}); requestId {requestId}.")).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpContext context, AwsServiceKind service)
    {
        var limit = _options.MaxRequestBodyBytes;
        if (context.Request.ContentLength is long declared && declared > limit)
        {
            throw TooLarge(service, declared, limit);
        }
        using var memory = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (memory.Length + read > limit)
            {
                throw TooLarge(service, memory.Length + read, limit);
            }
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }

    private static AwsApiException TooLarge(AwsServiceKind service, long size, int limit) => service switch
    {
        AwsServiceKind.Lambda => new("RequestEntityTooLargeException", 413, $"Request must be smaller than {limit} bytes for the InvokeFunction operation", "message"),
        AwsServiceKind.IotData => new("RequestEntityTooLargeException", 413, $"The payload exceeds the maximum size allowed ({size} > {limit} bytes)."),
        AwsServiceKind.Iot => new("InvalidRequestException", 400, $"The request body is too large ({size} > {limit} bytes)."),
        _ => new("SerializationException", 400, $"The request body is too large ({size} > {limit} bytes)."),
    };

    private static partial class Log
    {
        [LoggerMessage(AwsApiEventIds.RequestFailed, LogLevel.Error, "AWS API request {Method} {Path} ({Service}) failed; requestId {RequestId}")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path, string service, string requestId);
    }
}
