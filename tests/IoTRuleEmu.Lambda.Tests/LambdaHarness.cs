using System.Text.Json;
using IoTRuleEmu.Lambda;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Lambda.Tests;

/// <summary>The full emulator (engine, Lambda, republish) with a functions file written to a temp folder.</summary>
public static class LambdaHarness
{
    public const string FailingFunctions = """
        {
          "functions": [
            { "name": "invoke_test", "behavior": "fail", "errorMessage": "intentional failure" },
            { "name": "invoke_failed_test" }
          ]
        }
        """;

    public static async Task<EmulatorHarness> StartAsync(
        string? functionsJson = FailingFunctions,
        Action<LambdaEmulatorOptions>? configureLambda = null,
        Action<IoTRuleEmu.Engine.RuleEngineOptions>? configureEngine = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var functionsFile = Path.Combine(Path.GetTempPath(), "iotruleemu-functions", Guid.NewGuid().ToString("N") + ".json");
        if (functionsJson is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(functionsFile)!);
            await File.WriteAllTextAsync(functionsFile, functionsJson);
        }
        return await EmulatorHarness.StartAsync(
            configureServices,
            builder => builder.AddLambdaEmulator(o =>
            {
                o.FunctionsFile = functionsFile;
                configureLambda?.Invoke(o);
            }).AddRuleActions(),
            configureEngine);
    }

    public static ICloudTrailLog CloudTrail(this EmulatorHarness h) => h.Services.GetRequiredService<ICloudTrailLog>();

    public static IInvocationLog Invocations(this EmulatorHarness h) => h.Services.GetRequiredService<IInvocationLog>();

    public static IAsyncInvocationQueue LambdaQueue(this EmulatorHarness h) => h.Services.GetRequiredService<IAsyncInvocationQueue>();

    public static IFunctionRegistry Functions(this EmulatorHarness h) => h.Services.GetRequiredService<IFunctionRegistry>();

    public static IReadOnlyList<CloudTrailRecord> Records(this EmulatorHarness h, string functionName, string? eventName = null) =>
        [.. h.CloudTrail().Snapshot().Where(r => r.FunctionArn.EndsWith(":function:" + functionName, StringComparison.Ordinal)
            && (eventName is null || r.EventName == eventName))];

    /// <summary>Flushes the log files and reads them back, one JSON document per line.</summary>
    public static async Task<List<JsonElement>> ReadJsonLinesAsync(this EmulatorHarness h, string fileName)
    {
        await h.CloudTrail().FlushAsync(h.Timeout);
        await h.Invocations().FlushAsync(h.Timeout);
        var path = Path.Combine(h.DataDirectory, fileName);
        if (!File.Exists(path))
        {
            return [];
        }
        return [.. (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
