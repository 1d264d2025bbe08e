using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.RuntimeApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Runners;

/// <summary>
/// The default <see cref="IFunctionRunnerFactory"/>: picks the runner from the definition's run spec (built-in behaviour,
/// http, command, invokeEndpoint, runtimeApi). Runtime API sandboxes are kept per function while the definition stays the
/// same, and stopped when it changes or the emulator stops.
/// </summary>
public sealed class FunctionRunnerFactory : IFunctionRunnerFactory, IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _region;
    // Created on first use: most emulators run only built-in behaviours and never load the HTTP stack.
    private HttpClient? _http;
    private readonly ConcurrentDictionary<string, (string Key, RuntimeApiRunner Runner)> _sandboxes = new(StringComparer.Ordinal);

    public FunctionRunnerFactory(TimeProvider timeProvider, ILoggerFactory loggerFactory, IOptions<RuleEngineOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider;
        _loggerFactory = loggerFactory;
        _region = options.Value.Region;
    }

    private HttpClient Http => LazyInitializer.EnsureInitialized(ref _http,
        static () => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan });

    public IFunctionRunner Create(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.RunKind switch
        {
            FunctionRunKind.Http or FunctionRunKind.InvokeEndpoint => CreateHttpRunner(definition),
            FunctionRunKind.Command => new CommandFunctionRunner(definition, _region),
            FunctionRunKind.RuntimeApi => Sandbox(definition),
            FunctionRunKind.Remote => RemoteFunctionRunner.Instance,
            _ => new BehaviorFunctionRunner(definition, _time),
        };
    }

    /// <summary>
    /// Apart from <see cref="Create"/> because compiling a method that names <see cref="HttpClient"/> loads
    /// System.Net.Http (~1 MB resident), which an emulator with built-in behaviours only never needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IFunctionRunner CreateHttpRunner(FunctionDefinition definition) => definition.RunKind == FunctionRunKind.Http
        ? new HttpFunctionRunner(definition.Http!, Http)
        : new InvokeEndpointRunner(definition.InvokeEndpoint!, Http, definition.Name);

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, (_, runner)) in _sandboxes)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
        _sandboxes.Clear();
        DisposeHttp();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DisposeHttp() => _http?.Dispose();

    private RuntimeApiRunner Sandbox(FunctionDefinition definition)
    {
        var spec = definition.RuntimeApi!;
        var key = string.Join('\u0001', [spec.Bootstrap, spec.WorkingDirectory ?? "", spec.Handler ?? "", .. spec.Args,
            definition.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), definition.MemorySize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. (definition.Environment ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value)]);
        if (_sandboxes.TryGetValue(definition.Name, out var existing) && existing.Key == key)
        {
            return existing.Runner;
        }
        var runner = new RuntimeApiRunner(definition, _region, _loggerFactory);
        _sandboxes[definition.Name] = (key, runner);
        if (existing.Runner is not null)
        {
            _ = existing.Runner.DisposeAsync().AsTask();
        }
        return runner;
    }
}

/// <summary>The runner of a remote function: never called (Invoke is forwarded to the remote service).</summary>
public sealed class RemoteFunctionRunner : IFunctionRunner
{
    public static RemoteFunctionRunner Instance { get; } = new();

    public ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FunctionResult.Unhandled("A remote function runs in its own Lambda service, not in the emulator.", "Runtime.Remote"));
}
