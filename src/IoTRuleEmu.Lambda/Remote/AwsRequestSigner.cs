using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal.Auth;

namespace IoTRuleEmu.Lambda.Remote;

/// <summary>Credentials for calls the emulator makes to AWS-compatible services (remote Lambda, SQS, SNS).</summary>
public interface IAwsCredentialsSource
{
    /// <summary>The credentials to sign with, or null when none are configured.</summary>
    ValueTask<ImmutableCredentials?> GetAsync(CancellationToken cancellationToken);
}

/// <summary>AWSSDK.Core's default credential chain: environment variables, profiles, web identity, container/instance metadata.</summary>
public sealed class SdkCredentialsSource : IAwsCredentialsSource
{
    public async ValueTask<ImmutableCredentials?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var credentials = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null).ConfigureAwait(false);
            return await credentials.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }
}

/// <summary>Fixed credentials (tests, or a local endpoint that accepts any key).</summary>
public sealed class StaticCredentialsSource(string accessKey, string secretKey, string? sessionToken = null) : IAwsCredentialsSource
{
    public ValueTask<ImmutableCredentials?> GetAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<ImmutableCredentials?>(new ImmutableCredentials(accessKey, secretKey, sessionToken));
}

/// <summary>
/// Signs an <see cref="HttpRequestMessage"/> with AWS Signature Version 4 (header form). The canonical request is built here;
/// the signature itself comes from AWSSDK.Core's <see cref="AWS4Signer.ComputeSignature(ImmutableCredentials, string, DateTime, string, string, string)"/>.
/// Signed headers: <c>host</c>, <c>x-amz-date</c>, <c>x-amz-content-sha256</c>, every <c>x-amz-*</c> header on the request,
/// and <c>content-type</c>.
/// </summary>
public static class AwsRequestSigner
{
    public static async Task SignAsync(HttpRequestMessage request, ImmutableCredentials credentials, string region, string service, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.Remove("X-Amz-Content-SHA256");
        request.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", bodyHash);
        if (credentials.UseToken)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, values) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal))
            {
                headers[lower] = string.Join(',', values.Select(v => v.Trim()));
            }
        }
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }
        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            request.Method.Method,
            CanonicalPath(uri),
            CanonicalQuery(uri),
            string.Concat(headers.Select(h => h.Key + ":" + h.Value + "\n")),
            signedHeaders,
            bodyHash);
        var result = AWS4Signer.ComputeSignature(credentials, region, now.UtcDateTime, service, signedHeaders, canonicalRequest);
        request.Headers.Remove("Authorization");
        var authorization = result.ForAuthorizationHeader.TrimStart(',', ' ');
        request.Headers.TryAddWithoutValidation("Authorization", authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) ? authorization : "AWS4-HMAC-SHA256 " + authorization);
    }

    /// <summary>Each path segment URI-encoded again (SigV4 for services other than S3).</summary>
    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }
        return string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(s)));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return "";
        }
        return string.Join('&', query.Split('&')
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "")))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    private static string Encode(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }
}
