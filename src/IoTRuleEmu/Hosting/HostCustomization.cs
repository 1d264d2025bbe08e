using Microsoft.Extensions.DependencyInjection;
using Serilog;

namespace IoTRuleEmu.Hosting;

/// <summary>Test and embedding hooks for <see cref="EmulatorApp.Build"/>. The executable uses the defaults.</summary>
public sealed class HostCustomization
{
    /// <summary>Write logs to the console. Defaults to true.</summary>
    public bool WriteToConsole { get; init; } = true;

    /// <summary>Adds sinks or filters to the Serilog configuration (tests capture events here).</summary>
    public Action<LoggerConfiguration>? ConfigureLogging { get; init; }

    /// <summary>Runs before the emulator's own registrations, so services registered here win (TryAdd): a FakeTimeProvider, fakes.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The rules folder's quiet period before reloading. Defaults to 250 ms.</summary>
    public TimeSpan? RuleReloadDebounce { get; init; }

    /// <summary>
    /// Where log lines go instead of standard output (through the same batching sink as a redirected console); the sink
    /// owns and disposes the stream. The start-up warm-up passes <see cref="Stream.Null"/>.
    /// </summary>
    public Stream? LogOutput { get; init; }

    /// <summary>Listen on the loopback interface only (the start-up warm-up's private emulator). Defaults to false.</summary>
    public bool LoopbackOnly { get; init; }

    /// <summary>How long a graceful shutdown may take. Defaults to 30 s.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }
}
