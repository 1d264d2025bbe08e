using System.Text;
using IoTRuleEmu.Broker;
using IoTRuleEmu.Hosting;
using IoTRuleEmu.Options;
using IoTRuleEmu.Rules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using Serilog.Events;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Infrastructure;

/// <summary>What a test wants from its emulator.</summary>
public sealed class TestEmulatorSetup
{
    /// <summary>Rule files to write before start: name → TopicRulePayload JSON.</summary>
    public Dictionary<string, string> Rules { get; } = new(StringComparer.Ordinal);

    /// <summary>The functions file content; null = no functions file.</summary>
    public string? FunctionsJson { get; set; }

    /// <summary>Whether to create the rules folder (false tests the "missing folder" path).</summary>
    public bool CreateRulesDirectory { get; set; } = true;

    /// <summary>Ports; 0 = any free port.</summary>
    public int MqttPort { get; set; }

    public int HttpPort { get; set; }

    public string RetryDelays { get; set; } = "60,120";

    /// <summary>Minimum level of captured events (raise it for load tests).</summary>
    public LogEventLevel LogLevel { get; set; } = LogEventLevel.Debug;

    /// <summary>Echo log events to the test output.</summary>
    public bool EchoLogs { get; set; } = true;

    /// <summary>Error-level events that this test expects (not counted as failures).</summary>
    public Func<LogEvent, bool> ExpectedError { get; set; } = _ => false;
}

/// <summary>
/// An in-process emulator for one test: temp folders, a <see cref="TestClock"/>, logs captured, real Kestrel on
/// loopback with free ports, started and ready. Disposing it stops the host and fails the test when anything was
/// logged at Error level that the test did not expect.
/// </summary>
public sealed class TestEmulator : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TestEmulatorSetup _setup;
    private readonly List<IMqttClient> _clients = [];
    private bool _disposed;
    private bool _stopped;

    private TestEmulator(TestEmulatorSetup setup, string root, TestClock clock, CapturingSink sink)
    {
        _setup = setup;
        Root = root;
        Clock = clock;
        Sink = sink;
    }

    public string Root { get; }

    public string RulesDirectory => Path.Combine(Root, "rules");

    public string DataDirectory => Path.Combine(Root, "data");

    public string FunctionsFile => Path.Combine(Root, "functions.json");

    public TestClock Clock { get; }

    public CapturingSink Sink { get; }

    public WebApplication App { get; private set; } = null!;

    public IServiceProvider Services => App.Services;

    public EmulatorOptions Options { get; private set; } = null!;

    public MqttBroker Broker => Services.GetRequiredService<MqttBroker>();

    public RuleFileWatcher RuleWatcher => Services.GetRequiredService<RuleFileWatcher>();

    public int MqttPort => Services.GetRequiredService<BoundEndpoints>().MqttPort;

    public int HttpPort => Services.GetRequiredService<BoundEndpoints>().HttpPort;

    public static async Task<TestEmulator> StartAsync(ITestOutputHelper output, Action<TestEmulatorSetup>? configure = null)
    {
        var setup = new TestEmulatorSetup();
        configure?.Invoke(setup);
        var root = Directory.CreateTempSubdirectory("iotruleemu-test-").FullName;
        var emulator = new TestEmulator(setup, root, new TestClock(), new CapturingSink(setup.EchoLogs ? output : null));
        try
        {
            await emulator.StartCoreAsync();
        }
        catch
        {
            await emulator.DisposeCoreAsync(checkErrors: false);
            throw;
        }
        return emulator;
    }

    private async Task StartCoreAsync()
    {
        if (_setup.CreateRulesDirectory)
        {
            Directory.CreateDirectory(RulesDirectory);
            foreach (var (name, json) in _setup.Rules)
            {
                await File.WriteAllTextAsync(Path.Combine(RulesDirectory, name + ".json"), json);
            }
        }
        if (_setup.FunctionsJson is not null)
        {
            await File.WriteAllTextAsync(FunctionsFile, _setup.FunctionsJson);
        }
        Options = new EmulatorOptions
        {
            MqttPort = _setup.MqttPort,
            HttpPort = _setup.HttpPort,
            RulesDirectory = RulesDirectory,
            FunctionsFile = FunctionsFile,
            DataDirectory = DataDirectory,
            LambdaRetryDelays = EmulatorConfiguration.ParseRetryDelays(_setup.RetryDelays, out _)!,
            LambdaRetryDelaysText = _setup.RetryDelays,
            LogLevel = _setup.LogLevel,
        };
        App = EmulatorApp.Build(Options, new HostCustomization
        {
            WriteToConsole = false,
            ConfigureLogging = c => c.WriteTo.Sink(Sink),
            ConfigureServices = services => services.AddSingleton<TimeProvider>(Clock),
            ShutdownTimeout = TimeSpan.FromSeconds(20),
        });
        using var cts = new CancellationTokenSource(Timeout);
        await App.StartAsync(cts.Token);
        await Services.GetRequiredService<EmulatorReadiness>().WhenReady.WaitAsync(Timeout);
    }

    /// <summary>
    /// Connects a real MQTTnet client (TCP, or WebSocket at /mqtt) to the emulator. <paramref name="clientId"/> ""
    /// sends an empty client id; null lets MQTTnet make one up.
    /// </summary>
    public async Task<IMqttClient> ConnectAsync(
        string? clientId = "test-client", MqttProtocolVersion version = MqttProtocolVersion.V500, bool webSocket = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder().WithProtocolVersion(version).WithTimeout(Timeout);
        builder = webSocket
            ? builder.WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{HttpPort}/mqtt"))
            : builder.WithTcpServer("127.0.0.1", MqttPort);
        if (clientId is not null)
        {
            builder = builder.WithClientId(clientId);
        }
        using var cts = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(builder.Build(), cts.Token);
        lock (_clients)
        {
            _clients.Add(client);
        }
        return client;
    }

    /// <summary>
    /// Writes (or replaces) a rule file atomically and waits until the watcher applied it: waits for the change to be
    /// queued, advances the clock past the quiet period, and waits for the reload batch that contains the file.
    /// </summary>
    public Task<RuleFileChange> WriteRuleAsync(string ruleName, string json) =>
        ChangeRuleFileAsync(Path.Combine(RulesDirectory, ruleName + ".json"), path =>
        {
            var temp = Path.Combine(RulesDirectory, $".{ruleName}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temp, json, new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
        });

    /// <summary>Deletes a rule file and waits until the watcher applied it.</summary>
    public Task<RuleFileChange> DeleteRuleAsync(string ruleName) =>
        ChangeRuleFileAsync(Path.Combine(RulesDirectory, ruleName + ".json"), File.Delete);

    private async Task<RuleFileChange> ChangeRuleFileAsync(string path, Action<string> change)
    {
        var watcher = RuleWatcher.Watcher ?? throw new InvalidOperationException("The rules folder is not watched.");
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var applied = new TaskCompletionSource<RuleFileChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnQueued(string p)
        {
            if (string.Equals(p, path, StringComparison.Ordinal))
            {
                queued.TrySetResult();
            }
        }
        void OnReloaded(IReadOnlyList<RuleFileChange> batch)
        {
            var mine = batch.FirstOrDefault(c => string.Equals(c.Path, path, StringComparison.Ordinal));
            if (mine is not null)
            {
                applied.TrySetResult(mine);
            }
        }
        watcher.ChangeQueued += OnQueued;
        RuleWatcher.Reloaded += OnReloaded;
        try
        {
            change(path);
            await queued.Task.WaitAsync(Timeout);
            // Past the quiet period: the batch runs on this thread, inside Advance. Repeat if more events for the
            // same file arrive later (they restart the quiet period).
            while (!applied.Task.IsCompleted)
            {
                Clock.Advance(watcher.Debounce);
                if (!applied.Task.IsCompleted)
                {
                    await Task.WhenAny(applied.Task, Task.Delay(TimeSpan.FromMilliseconds(20)));
                }
            }
            return await applied.Task.WaitAsync(Timeout);
        }
        finally
        {
            watcher.ChangeQueued -= OnQueued;
            RuleWatcher.Reloaded -= OnReloaded;
        }
    }

    /// <summary>Writes the functions file atomically and waits until the watcher reloaded it; returns the problems found.</summary>
    public async Task<IReadOnlyList<string>> WriteFunctionsAsync(string json)
    {
        var functions = Services.GetRequiredService<FunctionsFileWatcher>();
        var watcher = functions.Watcher ?? throw new InvalidOperationException("The functions file's folder is not watched.");
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reloaded = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnQueued(string p)
        {
            if (string.Equals(p, FunctionsFile, StringComparison.Ordinal))
            {
                queued.TrySetResult();
            }
        }
        void OnReloaded(IReadOnlyList<string> problems) => reloaded.TrySetResult(problems);
        watcher.ChangeQueued += OnQueued;
        functions.Reloaded += OnReloaded;
        try
        {
            var temp = Path.Combine(Root, $".functions.{Guid.NewGuid():N}.tmp");
            await File.WriteAllTextAsync(temp, json);
            File.Move(temp, FunctionsFile, overwrite: true);
            await queued.Task.WaitAsync(Timeout);
            Clock.Advance(watcher.Debounce);
            return await reloaded.Task.WaitAsync(Timeout);
        }
        finally
        {
            watcher.ChangeQueued -= OnQueued;
            functions.Reloaded -= OnReloaded;
        }
    }

    /// <summary>Stops the host gracefully (as on SIGTERM) and waits for it; disposing afterwards only cleans up.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        using var cts = new CancellationTokenSource(Timeout);
        await App.StopAsync(cts.Token);
    }

    /// <summary>Log events at Error level or above that the test did not declare as expected.</summary>
    public IReadOnlyList<LogEvent> UnexpectedErrors() =>
        [.. Sink.Events.Where(e => e.Level >= LogEventLevel.Error && !_setup.ExpectedError(e))];

    public async ValueTask DisposeAsync() => await DisposeCoreAsync(checkErrors: true);

    private async Task DisposeCoreAsync(bool checkErrors)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        IMqttClient[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }
        foreach (var client in clients)
        {
            client.Dispose();
        }
        if (App is not null)
        {
            using var cts = new CancellationTokenSource(Timeout);
            try
            {
                if (!_stopped)
                {
                    await App.StopAsync(cts.Token);
                }
            }
            finally
            {
                await App.DisposeAsync();
            }
        }
        Sink.StopEcho();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        if (checkErrors)
        {
            var errors = UnexpectedErrors();
            Assert.True(errors.Count == 0, "Unexpected Error-level log events:\n" + string.Join("\n", errors.Select(CapturingSink.Render)));
        }
    }
}
