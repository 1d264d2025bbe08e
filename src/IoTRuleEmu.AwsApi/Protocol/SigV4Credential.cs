namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>
/// The credential scope of a SigV4-signed request (<c>Credential=AKID/20260101/us-east-1/iot/aws4_request</c>), from the
/// <c>Authorization</c> header or a presigned URL's <c>X-Amz-Credential</c>. Signatures are not verified: any well-formed
/// one is accepted, as local emulators do.
/// </summary>
public sealed record SigV4Credential(string AccessKeyId, string Date, string Region, string Service)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Reads the credential of a request. Returns null for an unsigned request (no SigV4 <c>Authorization</c> header and no
    /// <c>X-Amz-Credential</c>); <paramref name="error"/> is set when a SigV4 header is malformed.
    /// </summary>
    public static SigV4Credential? Read(string? authorization, string? queryCredential, out string? error)
    {
        error = null;
        if (!string.IsNullOrEmpty(authorization) && authorization.StartsWith(Algorithm, StringComparison.Ordinal))
        {
            string? credential = null, signedHeaders = null, signature = null;
            foreach (var part in authorization[Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }
                var key = part[..eq].Trim();
                var value = part[(eq + 1)..].Trim();
                switch (key)
                {
                    case "Credential": credential = value; break;
                    case "SignedHeaders": signedHeaders = value; break;
                    case "Signature": signature = value; break;
                }
            }
            var missing = new List<string>();
            if (string.IsNullOrEmpty(credential))
            {
                missing.Add("Authorization header requires 'Credential' parameter.");
            }
            if (string.IsNullOrEmpty(signature))
            {
                missing.Add("Authorization header requires 'Signature' parameter.");
            }
            if (string.IsNullOrEmpty(signedHeaders))
            {
                missing.Add("Authorization header requires 'SignedHeaders' parameter.");
            }
            if (missing.Count > 0)
            {
                error = string.Join(' ', missing);
                return null;
            }
            return ParseScope(credential!, out error);
        }
        if (!string.IsNullOrEmpty(queryCredential))
        {
            return ParseScope(queryCredential, out error);
        }
        return null;
    }

    private static SigV4Credential? ParseScope(string credential, out string? error)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[4] != "aws4_request" || parts.Any(string.IsNullOrEmpty))
        {
            error = $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'.";
            return null;
        }
        error = null;
        return new SigV4Credential(parts[0], parts[1], parts[2], parts[3]);
    }
}
