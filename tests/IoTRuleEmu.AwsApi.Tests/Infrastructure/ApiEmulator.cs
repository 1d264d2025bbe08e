using System.Net;
using IoTRuleEmu.AwsApi.Hosting;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Lambda.Async;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.AwsApi.Tests.Infrastructure;

/// <summary>
/// The engine, the Lambda library and the AWS APIs on real Kestrel (127.0.0.1, a free port), with the default
/// <see cref="IotData.RulesEngineDataPlanePublisher"/> standing in for the broker. A hosted service registered before the
/// APIs loads the rules folder the way the host does (<c>LoadDirectory</c> at start).
/// </summary>
public sealed class ApiEmulator : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string Account = "123456789012";

    public const string FunctionsJson = """
        {
          "functions": [
            { "name": "ok_fn" },
            { "name": "boom_fn", "behavior": "fail", "errorMessage": "intentional failure" },
            { "name": "sink_fn" },
            { "name": "locked_fn", "allowIoT": false }
          ]
        }
        """;

    public const string FileRuleJson = """
        { "sql": "SELECT * FROM 'files/in'", "actions": [], "description": "from a rule file" }
        """;

    private readonly WebApplication _app;

    private ApiEmulator(WebApplication app, string root, string dataDirectory, string rulesDirectory)
    {
        _app = app;
        Root = root;
        DataDirectory = dataDirectory;
        RulesDirectory = rulesDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    public string Root { get; }

    public string DataDirectory { get; }

    public string RulesDirectory { get; }

    /// <summary><c>http://127.0.0.1:PORT</c></summary>
    public string Endpoint { get; }

    public IServiceProvider Services => _app.Services;

    public IRuleStore Rules => Services.GetRequiredService<IRuleStore>();

    public static async Task<ApiEmulator> StartAsync(string? dataDirectory = null, IEnumerable<string>? templates = null)
    {
        var root = Directory.CreateTempSubdirectory("awsapi-tests-").FullName;
        dataDirectory ??= Path.Combine(root, "data");
        var rules = Path.Combine(root, "rules");
        Directory.CreateDirectory(rules);
        await File.WriteAllTextAsync(Path.Combine(rules, "file_rule.json"), FileRuleJson);
        var functions = Path.Combine(root, "functions.json");
        await File.WriteAllTextAsync(functions, FunctionsJson);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddIoTRuleEngine(o =>
            {
                o.Region = Region;
                o.AccountId = Account;
                o.DataDirectory = dataDirectory;
            })
            .AddLambdaEmulator(o =>
            {
                o.FunctionsFile = functions;
                o.RetryDelays = [TimeSpan.FromMilliseconds(50)];
            });
        builder.Services.AddSingleton(new RulesFolder(rules));
        builder.Services.AddHostedService<RulesFolderLoader>();
        builder.Services.AddAwsApis(o =>
        {
            o.Region = Region;
            o.AccountId = Account;
            o.DataDirectory = dataDirectory;
            foreach (var template in templates ?? [])
            {
                o.CloudFormationPaths.Add(template);
            }
        });
        var app = builder.Build();
        app.MapAwsApis();
        await app.StartAsync();
        return new ApiEmulator(app, root, dataDirectory, rules);
    }

    /// <summary>Waits until every queued message went through the rules and every Lambda attempt ran.</summary>
    public async Task WhenIdleAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Services.GetRequiredService<IRuleEngine>().WhenIdleAsync(cts.Token);
        await Services.GetRequiredService<IAsyncInvocationQueue>().WhenIdleAsync(cts.Token);
    }

    public AwsApiStartup Startup => Services.GetRequiredService<AwsApiStartup>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void DeleteFiles()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record RulesFolder(string Path);

    /// <summary>What the host's rule-file watcher does at start.</summary>
    private sealed class RulesFolderLoader(IRuleStore store, RulesFolder folder) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            store.LoadDirectory(folder.Path);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
