using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Lambda.Permissions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.Lambda;

/// <summary>One statement of a function's resource-based policy (AddPermission).</summary>
public sealed record PolicyStatement(
    string Sid,
    string Action,
    string Principal,
    string? SourceArn = null,
    string? SourceAccount = null,
    string? EventSourceToken = null,
    string? PrincipalOrgId = null,
    string? FunctionUrlAuthType = null);

/// <summary>
/// The functions' resource-based policies, as AddPermission/RemovePermission (and template <c>AWS::Lambda::Permission</c>s)
/// leave them. Registered as the Lambda library's <see cref="IFunctionPolicy"/>: the rules engine's invoke of a function
/// that does not allow IoT by definition succeeds only when a statement here lets <c>iot.amazonaws.com</c> in. API
/// statements persist in <c>&lt;data&gt;/api-lambda-policies.json</c>; template statements are not persisted. Thread-safe.
/// </summary>
public sealed partial class FunctionPolicyStore : IFunctionPolicy
{
    public const string FileName = "api-lambda-policies.json";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<PolicyStatement>> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _revisions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PolicyStatement>> _templatePolicies = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public FunctionPolicyStore(IOptions<AwsApiOptions> options, ILogger<FunctionPolicyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        FilePath = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, FileName));
        _logger = logger;
        Load();
    }

    public string FilePath { get; }

    public bool AllowsInvoke(string functionName, string principal, string? sourceArn, string? sourceAccount)
    {
        foreach (var s in Statements(functionName))
        {
            if (s.Action is not ("lambda:InvokeFunction" or "lambda:*" or "*"))
            {
                continue;
            }
            if (s.Principal != "*" && !string.Equals(s.Principal, principal, StringComparison.Ordinal))
            {
                continue;
            }
            if (s.SourceArn is not null && (sourceArn is null || !ArnLike(s.SourceArn, sourceArn)))
            {
                continue;
            }
            if (s.SourceAccount is not null && !string.Equals(s.SourceAccount, sourceAccount, StringComparison.Ordinal))
            {
                continue;
            }
            return true;
        }
        return false;
    }

    public IReadOnlyList<PolicyStatement> Statements(string functionName)
    {
        lock (_lock)
        {
            var result = new List<PolicyStatement>();
            if (_templatePolicies.TryGetValue(functionName, out var fromTemplates))
            {
                result.AddRange(fromTemplates);
            }
            if (_policies.TryGetValue(functionName, out var list))
            {
                result.AddRange(list);
            }
            return result;
        }
    }

    /// <summary>Statements declared by templates: in force and listed, but not persisted (the template is their source).</summary>
    public void AddTemplateStatement(string functionName, PolicyStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        lock (_lock)
        {
            if (!_templatePolicies.TryGetValue(functionName, out var list))
            {
                _templatePolicies[functionName] = list = [];
            }
            list.RemoveAll(s => s.Sid == statement.Sid);
            list.Add(statement);
            _revisions[functionName] = Guid.NewGuid().ToString();
        }
    }

    /// <summary>The policy's revision id (changes with every statement added or removed); null when there is no policy.</summary>
    public string? RevisionId(string functionName)
    {
        lock (_lock)
        {
            return _revisions.GetValueOrDefault(functionName);
        }
    }

    /// <summary>Adds a statement; false when its Sid exists already.</summary>
    public bool AddStatement(string functionName, PolicyStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        lock (_lock)
        {
            if (!_policies.TryGetValue(functionName, out var list))
            {
                _policies[functionName] = list = [];
            }
            if (list.Exists(s => s.Sid == statement.Sid)
                || (_templatePolicies.TryGetValue(functionName, out var fromTemplates) && fromTemplates.Exists(s => s.Sid == statement.Sid)))
            {
                return false;
            }
            list.Add(statement);
            _revisions[functionName] = Guid.NewGuid().ToString();
            Save();
            return true;
        }
    }

    public bool RemoveStatement(string functionName, string sid)
    {
        lock (_lock)
        {
            if (_templatePolicies.TryGetValue(functionName, out var fromTemplates) && fromTemplates.RemoveAll(s => s.Sid == sid) > 0)
            {
                _revisions[functionName] = Guid.NewGuid().ToString();
                return true;
            }
            if (!_policies.TryGetValue(functionName, out var list) || list.RemoveAll(s => s.Sid == sid) == 0)
            {
                return false;
            }
            if (list.Count == 0 && !(_templatePolicies.TryGetValue(functionName, out var rest) && rest.Count > 0))
            {
                _policies.Remove(functionName);
                _revisions.Remove(functionName);
            }
            else
            {
                _revisions[functionName] = Guid.NewGuid().ToString();
            }
            Save();
            return true;
        }
    }

    /// <summary>IAM ArnLike: <c>*</c> matches any run of characters, <c>?</c> one character; case-sensitive.</summary>
    internal static bool ArnLike(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    private void Save()
    {
        var root = new JsonObject();
        var policies = new JsonObject();
        foreach (var (function, list) in _policies)
        {
            policies[function] = new JsonArray([.. list.Select(s => (JsonNode)new JsonObject
            {
                ["sid"] = s.Sid,
                ["action"] = s.Action,
                ["principal"] = s.Principal,
                ["sourceArn"] = s.SourceArn,
                ["sourceAccount"] = s.SourceAccount,
                ["eventSourceToken"] = s.EventSourceToken,
                ["principalOrgId"] = s.PrincipalOrgId,
                ["functionUrlAuthType"] = s.FunctionUrlAuthType,
            })]);
        }
        root["policies"] = policies;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var temp = FilePath + ".tmp";
            File.WriteAllText(temp, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), new UTF8Encoding(false));
            File.Move(temp, FilePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.WriteFailed(_logger, FilePath, ex.Message);
        }
    }

    private void Load()
    {
        if (!File.Exists(FilePath))
        {
            return;
        }
        try
        {
            var root = JsonNode.Parse(File.ReadAllBytes(FilePath)) as JsonObject ?? throw new JsonException("expected an object");
            if (root["policies"] is JsonObject policies)
            {
                foreach (var (function, node) in policies)
                {
                    var list = new List<PolicyStatement>();
                    foreach (var s in node?.AsArray() ?? [])
                    {
                        if (s is null)
                        {
                            continue;
                        }
                        list.Add(new PolicyStatement(
                            (string)s["sid"]!, (string)s["action"]!, (string)s["principal"]!,
                            (string?)s["sourceArn"], (string?)s["sourceAccount"], (string?)s["eventSourceToken"],
                            (string?)s["principalOrgId"], (string?)s["functionUrlAuthType"]));
                    }
                    if (list.Count > 0)
                    {
                        _policies[function] = list;
                        _revisions[function] = Guid.NewGuid().ToString();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            Log.ReadFailed(_logger, FilePath, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AwsApiEventIds.StateWriteFailed, LogLevel.Error, "Cannot write Lambda policies to {Path}: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string path, string reason);

        [LoggerMessage(AwsApiEventIds.StateReadFailed, LogLevel.Error, "Cannot read Lambda policies from {Path} (starting without them): {Reason}")]
        public static partial void ReadFailed(ILogger logger, string path, string reason);
    }
}
