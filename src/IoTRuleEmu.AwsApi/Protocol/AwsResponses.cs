using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>Writes answers in each protocol's shape.</summary>
public static class AwsResponses
{
    public const string RestJsonContentType = "application/json";
    public const string Json11ContentType = "application/x-amz-json-1.1";

    /// <summary>JSON bodies are never embedded in HTML: keep quotes, <c>+</c> and non-ASCII text readable.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a JSON body built by <paramref name="write"/> (the writer is positioned at the top level).</summary>
    public static Task WriteJsonAsync(AwsRequest request, int statusCode, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }
        return WriteBytesAsync(request, statusCode, buffer.WrittenMemory,
            request.Service.Protocol() == AwsProtocol.Json11 ? Json11ContentType : RestJsonContentType);
    }

    /// <summary>Writes an answer with no body (e.g. CreateTopicRule's 200, DeleteFunctionEventInvokeConfig's 204).</summary>
    public static Task WriteEmptyAsync(AwsRequest request, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Context.Response.StatusCode = statusCode;
        request.Context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    public static async Task WriteBytesAsync(AwsRequest request, int statusCode, ReadOnlyMemory<byte> body, string contentType)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = request.Context.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (body.Length > 0)
        {
            await response.Body.WriteAsync(body, request.Aborted).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="error"/> in <paramref name="service"/>'s protocol shape.</summary>
    public static Task WriteErrorAsync(HttpContext context, AwsServiceKind service, AwsApiException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        foreach (var (name, value) in error.Headers)
        {
            response.Headers[name] = value;
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (service.Protocol() == AwsProtocol.Json11)
            {
                writer.WriteString("__type", error.Code);
                writer.WriteString("message", error.Message);
                response.ContentType = Json11ContentType;
            }
            else
            {
                response.Headers["x-amzn-ErrorType"] = error.Code;
                if (service == AwsServiceKind.Lambda)
                {
                    writer.WriteString("Type", error.StatusCode >= 500 ? "Service" : "User");
                }
                writer.WriteString(error.MessageKey, error.Message);
                response.ContentType = RestJsonContentType;
            }
            foreach (var (name, value) in error.Extra)
            {
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
        }
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    /// <summary>Epoch seconds with milliseconds, as REST-JSON and JSON 1.1 write timestamps.</summary>
    public static void WriteEpochSeconds(this Utf8JsonWriter writer, string name, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(name, Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3));
    }

    /// <summary>Lambda's <c>LastModified</c> string form: <c>2019-10-26T19:50:39.104+0000</c>.</summary>
    public static string LambdaTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
}
