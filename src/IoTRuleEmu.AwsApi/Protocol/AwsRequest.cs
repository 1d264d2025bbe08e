using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>One API call as the service handlers see it: decoded path segments, query, body bytes and the caller's credential.</summary>
public sealed class AwsRequest
{
    private static readonly JsonDocumentOptions s_jsonOptions = new() { MaxDepth = 64 };

    internal AwsRequest(HttpContext context, AwsServiceKind service, string requestId, SigV4Credential? credential, string? operationTarget, byte[] body)
    {
        Context = context;
        Service = service;
        RequestId = requestId;
        Credential = credential;
        OperationTarget = operationTarget;
        Body = body;
        RawPath = RawPathOf(context);
        Segments = SplitPath(RawPath);
    }

    public HttpContext Context { get; }

    public AwsServiceKind Service { get; }

    /// <summary>The <c>x-amzn-RequestId</c> of the answer.</summary>
    public string RequestId { get; }

    /// <summary>The caller's SigV4 credential scope; null for unsigned requests.</summary>
    public SigV4Credential? Credential { get; }

    /// <summary>The JSON 1.1 operation (<c>X-Amz-Target</c> after the service prefix), or null.</summary>
    public string? OperationTarget { get; }

    public string Method => Context.Request.Method;

    /// <summary>The path as sent (still percent-encoded).</summary>
    public string RawPath { get; }

    /// <summary>The path's segments, each percent-decoded on its own (so an encoded <c>%2F</c> stays inside its segment).</summary>
    public IReadOnlyList<string> Segments { get; }

    public IQueryCollection Query => Context.Request.Query;

    public byte[] Body { get; }

    public CancellationToken Aborted => Context.RequestAborted;

    public string? Header(string name) =>
        Context.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    public string? QueryValue(string name) =>
        Context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>The caller's address (for CloudTrail-like records).</summary>
    public string RemoteIp => Context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";

    /// <summary>
    /// Parses the body as a JSON object (an empty body is an empty object). Malformed JSON or another JSON type becomes
    /// <paramref name="error"/>'s exception, never a 500.
    /// </summary>
    public JsonElement JsonBody(Func<string, AwsApiException> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Body.Length == 0 || Body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return JsonDocument.Parse("{}").RootElement;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(Body, s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw error("Could not parse the request body as JSON: " + StripPosition(ex.Message)
                + $" (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw error($"The request body must be a JSON object, not {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
            return doc.RootElement.Clone();
        }
    }

    internal static string StripPosition(string message)
    {
        var i = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (i < 0)
        {
            i = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }
        return i < 0 ? message : message[..i];
    }

    internal static string RawPathOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            // Absolute-form targets or test servers: fall back to the (decoded) path.
            return context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
        }
        var q = raw.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? raw : raw[..q];
    }

    internal static IReadOnlyList<string> SplitPath(string rawPath)
    {
        var parts = rawPath.Split('/');
        var segments = new List<string>(parts.Length);
        for (var i = 1; i < parts.Length; i++)
        {
            if (i == parts.Length - 1 && parts[i].Length == 0)
            {
                break; // trailing slash
            }
            segments.Add(Uri.UnescapeDataString(parts[i]));
        }
        return segments;
    }
}
