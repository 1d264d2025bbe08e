using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IoTRuleEmu.Lambda.Tests.Remote;

/// <summary>
/// An independent implementation of AWS Signature Version 4 verification (the documented algorithm), used by the test
/// doubles to check what the emulator signed with AWSSDK.Core.
/// </summary>
public static class SigV4Verifier
{
    /// <summary>The expected signature for a request as received; null with a reason when the request is not SigV4-shaped.</summary>
    public static string Expected(string method, string rawPath, string rawQuery, IReadOnlyDictionary<string, string> headers, byte[] body,
        string secretKey, out string credentialScope, out string signedHeaders)
    {
        var authorization = headers["authorization"];
        Assert.StartsWith("AWS4-HMAC-SHA256 ", authorization, StringComparison.Ordinal);
        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var credential = parts["Credential"];
        credentialScope = credential[(credential.IndexOf('/', StringComparison.Ordinal) + 1)..];
        signedHeaders = parts["SignedHeaders"];
        var scope = credentialScope.Split('/');
        var amzDate = headers["x-amz-date"];
        Assert.StartsWith(scope[0], amzDate, StringComparison.Ordinal);

        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders.Split(';'))
        {
            canonicalHeaders.Append(name).Append(':').Append(string.Join(' ', headers[name].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }
        var canonicalPath = string.Join('/', rawPath.Split('/').Select(Uri.EscapeDataString));
        var canonicalQuery = rawQuery.Length == 0 ? "" : string.Join('&', rawQuery.TrimStart('?').Split('&').Order(StringComparer.Ordinal));
        var canonicalRequest = $"{method}\n{canonicalPath}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), scope[0]);
        key = Hmac(key, scope[1]);
        key = Hmac(key, scope[2]);
        key = Hmac(key, scope[3]);
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>The <c>Signature=</c> part of the Authorization header.</summary>
    public static string Actual(string authorization) =>
        authorization.Split(',', StringSplitOptions.TrimEntries).Single(p => p.StartsWith("Signature=", StringComparison.Ordinal))["Signature=".Length..];

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
}
