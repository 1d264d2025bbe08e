using IoTRuleEmu.AwsApi.CloudFormation;
using IoTRuleEmu.AwsApi.Iot;
using IoTRuleEmu.AwsApi.Lambda;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Lambda.Functions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.AwsApi.Hosting;

/// <summary>
/// At start: puts the rules persisted by CreateTopicRule back into the store, then loads the <c>--cloudformation</c>
/// templates: rules into the store, functions as the registry's <see cref="TemplateSource"/> (the functions file wins a
/// name clash), permissions into the policy store. Once the host has started it checks again and re-puts any rule a
/// later loader replaced.
/// </summary>
public sealed partial class AwsApiStartup(
    IRuleStore store,
    ApiRuleRepository repository,
    RuleOrigins origins,
    IFunctionRegistry functions,
    FunctionCatalog catalog,
    FunctionPolicyStore policies,
    IHostApplicationLifetime lifetime,
    IOptions<AwsApiOptions> options,
    TimeProvider timeProvider,
    ILogger<AwsApiStartup> logger) : IHostedService
{
    /// <summary>The function registry source holding the templates' functions.</summary>
    public const string TemplateSource = "cloudformation";

    private readonly AwsApiOptions _options = options.Value;
    private readonly List<(string Name, TopicRulePayload Payload, string Source)> _owned = [];
    private readonly List<FunctionDefinition> _templateFunctions = [];
    private readonly List<TemplateLoadResult> _templates = [];
    private CancellationTokenRegistration _started;

    /// <summary>What each template declared and the problems found (for diagnostics and tests).</summary>
    public IReadOnlyList<TemplateLoadResult> Templates => _templates;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LoadApiRules();
        LoadTemplates();
        if (_templateFunctions.Count > 0)
        {
            functions.SetSource(TemplateSource, _templateFunctions);
        }
        Ensure();
        _started = lifetime.ApplicationStarted.Register(Ensure);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }

    private void LoadApiRules()
    {
        foreach (var record in repository.LoadAll())
        {
            var path = repository.PathOf(record.RuleName);
            if (!TopicRulePayloadParser.TryParse(System.Text.Encoding.UTF8.GetBytes(record.Payload.ToJsonString()), path, out var payload, out var errors))
            {
                Log.ApiRuleInvalid(logger, record.RuleName, path, string.Join("; ", errors));
                continue;
            }
            origins.Set(record.RuleName, new RuleOrigin(RuleOriginKind.Api, path, null, record.CreatedAt));
            _owned.Add((record.RuleName, payload!, path));
            Log.ApiRuleLoaded(logger, record.RuleName, path);
        }
    }

    private void LoadTemplates()
    {
        var paths = _options.CloudFormationPaths
            .SelectMany(p => p.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        foreach (var path in paths)
        {
            var files = CloudFormationLoader.TemplateFiles(path);
            if (files.Count == 0)
            {
                Log.TemplatePathMissing(logger, Path.GetFullPath(path));
                continue;
            }
            foreach (var file in files)
            {
                var result = CloudFormationLoader.Load(file, _options.Region, _options.AccountId);
                _templates.Add(result);
                foreach (var error in result.Errors)
                {
                    Log.TemplateInvalid(logger, result.TemplatePath,
                        error.StartsWith(result.TemplatePath, StringComparison.Ordinal) ? error[result.TemplatePath.Length..].TrimStart() : error);
                }
                foreach (var function in result.Functions)
                {
                    _templateFunctions.RemoveAll(f => f.Name == function.Definition.Name);
                    _templateFunctions.Add(function.Definition);
                    catalog.Set(function.Definition.Name, function.Metadata);
                }
                foreach (var permission in result.Permissions)
                {
                    policies.AddTemplateStatement(permission.FunctionName, permission.Statement);
                }
                var loadedAt = timeProvider.GetUtcNow();
                foreach (var rule in result.Rules)
                {
                    if (origins.Known.TryGetValue(rule.RuleName, out var existing) && existing.Kind == RuleOriginKind.Api)
                    {
                        Log.TemplateInvalid(logger, result.TemplatePath,
                            $"[{rule.Resource}] rule '{rule.RuleName}' exists already (created through the API); the template's rule is skipped.");
                        continue;
                    }
                    var source = $"{rule.TemplatePath}#{rule.Resource}";
                    origins.Set(rule.RuleName, new RuleOrigin(RuleOriginKind.CloudFormation, rule.TemplatePath, rule.Resource, loadedAt));
                    _owned.RemoveAll(o => o.Name == rule.RuleName);
                    _owned.Add((rule.RuleName, rule.Payload, source));
                }
                Log.TemplateLoaded(logger, result.TemplatePath, result.Rules.Count, result.Functions.Count, result.Permissions.Count,
                    result.Errors.Count, string.Join(", ", result.Skipped));
            }
        }
    }

    /// <summary>Puts every API and template rule that is missing from the store (or was replaced by another source).</summary>
    private void Ensure()
    {
        var current = store.Current;
        foreach (var (name, payload, source) in _owned)
        {
            if (current.Find(name) is { } rule && rule.Source == source)
            {
                continue;
            }
            var report = store.Put(name, payload, source);
            if (!report.Succeeded)
            {
                Log.ApiRuleInvalid(logger, name, source, string.Join("; ", report.Errors));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AwsApiEventIds.ApiRuleLoaded, LogLevel.Information, "Rule {RuleName} created through the API restored from {Path}")]
        public static partial void ApiRuleLoaded(ILogger logger, string ruleName, string path);

        [LoggerMessage(AwsApiEventIds.ApiRuleInvalid, LogLevel.Error, "Rule {RuleName} from {Path} cannot be loaded: {Errors}")]
        public static partial void ApiRuleInvalid(ILogger logger, string ruleName, string path, string errors);

        [LoggerMessage(AwsApiEventIds.TemplateLoaded, LogLevel.Information,
            "CloudFormation template {Path}: {RuleCount} topic rule(s), {FunctionCount} function(s), {PermissionCount} permission(s), {ErrorCount} problem(s); other resources ignored: {Skipped}")]
        public static partial void TemplateLoaded(ILogger logger, string path, int ruleCount, int functionCount, int permissionCount, int errorCount, string skipped);

        [LoggerMessage(AwsApiEventIds.TemplateInvalid, LogLevel.Error, "CloudFormation template {Path}: {Problem}")]
        public static partial void TemplateInvalid(ILogger logger, string path, string problem);

        [LoggerMessage(AwsApiEventIds.TemplatePathMissing, LogLevel.Warning, "--cloudformation {Path}: no such file, or a folder without *.json/*.yaml/*.yml/*.template files")]
        public static partial void TemplatePathMissing(ILogger logger, string path);
    }
}
