using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IoTRuleEmu.Testing;

/// <summary>
/// The emulator's libraries wired through the real DI extensions with a <see cref="FakeTimeProvider"/>, a capturing logger,
/// an in-memory publisher and a temporary data folder. Waits on signals only; the timeout is a hang guard, not an assertion.
/// </summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2019, 1, 24, 5, 20, 38, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private IHostedService[] _hosted = [];

    private EmulatorHarness(ServiceProvider services, FakeTimeProvider time, CapturingLoggerProvider logs, InMemoryPublisher publisher, string dataDirectory)
    {
        Services = services;
        Time = time;
        Logs = logs;
        Publisher = publisher;
        DataDirectory = dataDirectory;
        Engine = services.GetRequiredService<IRuleEngine>();
        Rules = services.GetRequiredService<IRuleStore>();
        publisher.Engine = Engine;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public InMemoryPublisher Publisher { get; }

    public string DataDirectory { get; }

    public IRuleEngine Engine { get; }

    public IRuleStore Rules { get; }

    /// <summary>Hang guard for awaits.</summary>
    public CancellationToken Timeout => _timeout.Token;

    /// <summary>
    /// Builds the services: <paramref name="configureServices"/> runs first (fakes registered there win over TryAdd),
    /// then <paramref name="addEmulator"/> adds the libraries (default: engine + rule actions).
    /// </summary>
    public static async Task<EmulatorHarness> StartAsync(
        Action<IServiceCollection>? configureServices = null,
        Action<IRuleEngineBuilder>? addEmulator = null,
        Action<RuleEngineOptions>? configureEngine = null,
        bool start = true)
    {
        var time = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var publisher = new InMemoryPublisher(time);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "iotruleemu-tests", Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IMessagePublisher>(publisher);
        configureServices?.Invoke(services);
        var builder = services.AddIoTRuleEngine(o =>
        {
            o.DataDirectory = dataDirectory;
            configureEngine?.Invoke(o);
        });
        if (addEmulator is null)
        {
            builder.AddRuleActions();
        }
        else
        {
            addEmulator(builder);
        }
        var harness = new EmulatorHarness(services.BuildServiceProvider(), time, logs, publisher, dataDirectory);
        if (start)
        {
            await harness.StartHostedServicesAsync();
        }
        return harness;
    }

    public async Task StartHostedServicesAsync()
    {
        _hosted = [.. Services.GetServices<IHostedService>()];
        foreach (var service in _hosted)
        {
            await service.StartAsync(Timeout);
        }
    }

    /// <summary>Adds a rule from its JSON (TopicRulePayload) and asserts it loaded.</summary>
    public CompiledRule AddRule(string name, string json)
    {
        var payload = TopicRulePayloadParser.Parse(json, name + ".json");
        var report = Rules.Put(name, payload, name + ".json");
        Assert.True(report.Succeeded, string.Join("\n", report.Errors));
        return Rules.Current.Find(name)!;
    }

    public InboundMessage Message(string topic, string payload, string? clientId = "device-1") =>
        Message(topic, Encoding.UTF8.GetBytes(payload), clientId);

    public InboundMessage Message(string topic, byte[] payload, string? clientId = "device-1") => new()
    {
        Topic = topic,
        Payload = payload,
        ClientId = clientId,
        SourceIp = "10.0.0.7",
        TraceId = Guid.NewGuid().ToString(),
        ReceivedAt = Time.GetUtcNow(),
    };

    /// <summary>Enqueues a message and waits until the engine has dispatched it and every action it caused has finished.</summary>
    public async Task<InboundMessage> PublishAsync(string topic, string payload, string? clientId = "device-1")
    {
        var message = Message(topic, payload, clientId);
        Assert.True(Engine.TryEnqueue(message));
        await SettleAsync();
        return message;
    }

    /// <summary>Waits until the engine (and, when registered, Lambda's async queue) has nothing runnable.</summary>
    public async Task SettleAsync()
    {
        var lambdaQueue = Services.GetService<IoTRuleEmu.Lambda.Async.IAsyncInvocationQueue>();
        await Engine.WhenIdleAsync(Timeout);
        if (lambdaQueue is not null)
        {
            await lambdaQueue.WhenIdleAsync(Timeout);
            await Engine.WhenIdleAsync(Timeout);
        }
    }

    /// <summary>Moves the fake clock and waits for whatever became due to finish.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await SettleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var service in _hosted.Reverse())
        {
            await service.StopAsync(stop.Token);
        }
        await Services.DisposeAsync();
        _timeout.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
