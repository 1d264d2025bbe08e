using System.Net;
using System.Net.Sockets;
using IoTRuleEmu.Hosting;
using IoTRuleEmu.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Tests.Hosting;

/// <summary>
/// The start-up warm-up: every message reaches an InvokeExecution in a private emulator that leaves nothing behind and
/// touches none of the real emulator's ports and folders; a failure is a result, never an exception.
/// </summary>
public sealed class StartupWarmUpTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("iotruleemu-warm-up-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Scratch => Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;

    [Fact(Timeout = 60_000)]
    public async Task EveryMessage_ReachesAnInvokeExecution_InAPrivateEmulator_ThatLeavesNothingBehind()
    {
        // The real emulator's ports are taken and its folders do not exist: the private one must use neither.
        using var mqtt = new TcpListener(IPAddress.Any, 0);
        using var http = new TcpListener(IPAddress.Any, 0);
        mqtt.Start();
        http.Start();
        var options = new EmulatorOptions
        {
            MqttPort = ((IPEndPoint)mqtt.LocalEndpoint).Port,
            HttpPort = ((IPEndPoint)http.LocalEndpoint).Port,
            RulesDirectory = Path.Combine(_root, "rules"),
            FunctionsFile = Path.Combine(_root, "functions.json"),
            DataDirectory = Path.Combine(_root, "data"),
            Region = "eu-west-1",
            AccountId = "000000000000",
        };
        var scratch = Scratch;

        var result = await StartupWarmUp.RunAsync(options, TimeSpan.FromSeconds(45), scratchParent: scratch);

        Assert.Null(result.Error);
        Assert.Equal(StartupWarmUp.Messages, result.Messages);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Equal([scratch], Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact(Timeout = 60_000)]
    public async Task Timeout_IsReported_AndTheFolderRemoved()
    {
        var scratch = Scratch;

        var result = await StartupWarmUp.RunAsync(new EmulatorOptions(), TimeSpan.FromMilliseconds(1), scratchParent: scratch);

        Assert.Equal("not finished after 0.001 s", result.Error);
        Assert.True(result.Messages < StartupWarmUp.Messages);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancellation_EndsItWithAReason()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await StartupWarmUp.RunAsync(new EmulatorOptions(), TimeSpan.FromSeconds(45), cancelled.Token, Scratch);

        Assert.NotNull(result.Error);
        Assert.DoesNotContain("not finished", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, result.Messages);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnusableScratchFolder_IsReported_NotThrown()
    {
        var file = Path.Combine(_root, "not-a-folder");
        await File.WriteAllTextAsync(file, "");

        var result = await StartupWarmUp.RunAsync(new EmulatorOptions(), TimeSpan.FromSeconds(45), scratchParent: file);

        Assert.NotNull(result.Error);
        Assert.Equal(0, result.Messages);
    }

    [Fact(Timeout = 60_000)]
    public async Task LoopbackOnly_AndLogOutput_AreHonoured()
    {
        var log = new MemoryStream(); // the sink owns and disposes it; ToArray still answers then
        var options = new EmulatorOptions
        {
            MqttPort = 0,
            HttpPort = 0,
            RulesDirectory = Path.Combine(_root, "rules"),
            FunctionsFile = Path.Combine(_root, "functions.json"),
            DataDirectory = Path.Combine(_root, "data"),
        };
        var app = EmulatorApp.Build(options, new HostCustomization { LoopbackOnly = true, LogOutput = log });
        await using (app)
        {
            await app.StartAsync();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Assert.Equal(2, addresses.Count);
            Assert.All(addresses, a => Assert.StartsWith("http://127.0.0.1:", a, StringComparison.Ordinal));
            await app.StopAsync();
        }

        Assert.Contains("IoTRuleEmu started: MQTT on port", System.Text.Encoding.UTF8.GetString(log.ToArray()), StringComparison.Ordinal);
    }
}
