using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IoTRuleEmu.AwsApi.IotData;
using IoTRuleEmu.Broker;
using IoTRuleEmu.Endpoints;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Logging;
using IoTRuleEmu.Options;
using IoTRuleEmu.Rules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Server;
using Serilog;

namespace IoTRuleEmu.Hosting;

/// <summary>Builds and runs the emulator host: Kestrel (MQTT TCP, HTTP + MQTT over WebSocket), broker, rules engine.</summary>
public static partial class EmulatorApp
{
    /// <summary>Exit code: the emulator stopped normally.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code: start-up failed (a port could not be bound, …).</summary>
    public const int ExitStartFailed = 1;

    /// <summary>Exit code: invalid options.</summary>
    public const int ExitInvalidOptions = 2;

    /// <summary>The WebSocket path of MQTT over WebSocket.</summary>
    public const string MqttWebSocketPath = "/mqtt";

    /// <summary>Runs the emulator until Ctrl+C / SIGTERM. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var loaded = EmulatorConfiguration.Load(args, Environment.GetEnvironmentVariables(), Directory.GetCurrentDirectory());
        if (loaded.Help)
        {
            Console.Out.Write(EmulatorConfiguration.Usage());
            return ExitOk;
        }
        if (loaded.Options is null)
        {
            await Console.Error.WriteLineAsync("Invalid options:").ConfigureAwait(false);
            foreach (var error in loaded.Errors)
            {
                await Console.Error.WriteLineAsync("  " + error).ConfigureAwait(false);
            }
            await Console.Error.WriteLineAsync("Run with --help for the list of options.").ConfigureAwait(false);
            return ExitInvalidOptions;
        }

        WarmUpResult? warmUp = null;
        if (loaded.Options.WarmUp)
        {
            // The host's own Ctrl+C / SIGTERM handling starts with it: until then a signal ends the warm-up, cleanly.
            using var stop = new CancellationTokenSource();
            using (PosixSignalRegistration.Create(PosixSignal.SIGINT, StopWarmUp))
            using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopWarmUp))
            {
                warmUp = await StartupWarmUp.RunAsync(loaded.Options, StartupWarmUp.DefaultTimeout, stop.Token).ConfigureAwait(false);
            }
            if (stop.IsCancellationRequested)
            {
                return ExitOk;
            }
            // The private emulator left ~20 MB of garbage on the heap: hand it back to the system before the real one starts.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

            void StopWarmUp(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }

        WebApplication app;
        try
        {
            app = Build(loaded.Options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"Start-up failed: {ex.Message}").ConfigureAwait(false);
            return ExitStartFailed;
        }
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var message = DescribeStartFailure(ex, loaded.Options);
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IoTRuleEmu").LogCritical(EventIds.StartFailed, "{Message}", message);
                await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
                return ExitStartFailed;
            }
            if (warmUp is not null)
            {
                LogWarmUp(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IoTRuleEmu"), warmUp);
            }
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return ExitOk;
    }

    /// <summary>
    /// Builds the emulator (not started). Tests pass <paramref name="customization"/> to inject a FakeTimeProvider,
    /// capture logs and use port 0.
    /// </summary>
    public static WebApplication Build(EmulatorOptions options, HostCustomization? customization = null)
    {
        customization ??= new HostCustomization();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // The default appsettings.json sources are dropped below, but with reloading on they would first start a
            // recursive file watcher on the current directory: every write under it (./data/*.jsonl with the default
            // --data) would wake it, and its start walks the whole tree.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        // Configuration comes from EmulatorConfiguration only (no stray environment variables, no ASPNETCORE_URLS).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "",
            ["http_ports"] = "",
            ["https_ports"] = "",
        });

        builder.Logging.ClearProviders();
        LoggingSetup.AddSerilog(builder.Services, options, customization.WriteToConsole, customization.ConfigureLogging, customization.LogOutput);

        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = customization.ShutdownTimeout ?? TimeSpan.FromSeconds(30);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        customization.ConfigureServices?.Invoke(builder.Services);
        AddEmulatorServices(builder.Services, options, customization);

        var endpoints = new BoundEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Kestrel's ListenLocalhost takes no port 0, hence 127.0.0.1.
            Action<int, Action<ListenOptions>> listen = customization.LoopbackOnly
                ? (port, configure) => kestrel.Listen(IPAddress.Loopback, port, configure)
                : kestrel.ListenAnyIP;
            listen(options.MqttPort, mqtt =>
            {
                mqtt.UseConnectionHandler<KestrelMqttConnectionHandler>();
                endpoints.Mqtt = mqtt;
            });
            listen(options.HttpPort, http => endpoints.Http = http);
        });

        var app = builder.Build();
        app.MapConnectionHandler<KestrelMqttConnectionHandler>(MqttWebSocketPath, o =>
        {
            o.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol;
            o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
        });
        app.MapHealthEndpoints();
        app.MapStatsEndpoints();
        app.MapAwsApis();
        app.MapLambdaEmulatorEndpoints();

        var readiness = app.Services.GetRequiredService<EmulatorReadiness>();
        var startupLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IoTRuleEmu");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            readiness.MarkServerStarted();
            Log.Started(startupLogger, endpoints.MqttPort, endpoints.HttpPort, MqttWebSocketPath,
                Path.GetFullPath(options.RulesDirectory), Path.GetFullPath(options.FunctionsFile), Path.GetFullPath(options.DataDirectory),
                options.Region, options.AccountId, options.LambdaRetryDelaysText);
        });
        app.Lifetime.ApplicationStopping.Register(() => Log.Stopping(startupLogger));
        return app;
    }

    private static void AddEmulatorServices(IServiceCollection services, EmulatorOptions options, HostCustomization customization)
    {
        if (options.Clock == ClockMode.Virtual)
        {
            // Lambda library: a VirtualTimeProvider becomes the TimeProvider (POST /_emulator/clock/advance moves it).
            services.AddVirtualClock();
        }
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<EmulatorReadiness>();
        services.AddSingleton(new RuleWatcherSettings { Debounce = customization.RuleReloadDebounce ?? new RuleWatcherSettings().Debounce });
        services.AddConnections();

        // Broker. Registered before the engine's services so it starts first and stops last (hosted services stop in
        // reverse order), and Kestrel (registered last by WebApplication) only accepts connections once it runs.
        services.AddSingleton<KestrelMqttConnectionHandler>();
        services.AddSingleton<IMqttNetLogger, MqttNetLoggerBridge>();
        services.AddSingleton(sp => new MqttServerFactory().CreateMqttServer(
            MqttBroker.CreateServerOptions(),
            [sp.GetRequiredService<KestrelMqttConnectionHandler>()],
            sp.GetRequiredService<IMqttNetLogger>()));
        services.AddSingleton<MqttBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttBroker>());
        services.AddSingleton<MqttNetPublisher>();
        services.TryAddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<MqttNetPublisher>());

        // Rules engine, Lambda emulator, actions.
        services.AddIoTRuleEngine(o =>
            {
                o.Region = options.Region;
                o.AccountId = options.AccountId;
                o.DataDirectory = options.DataDirectory;
            })
            .AddLambdaEmulator(o =>
            {
                o.FunctionsFile = options.FunctionsFile;
                o.RetryDelays = [.. options.LambdaRetryDelays];
            })
            .AddRuleActions();

        // AWS-compatible APIs (IoT, IoT data plane, Lambda, CloudTrail) and --cloudformation templates.
        services.AddSingleton<IDataPlanePublisher, MqttNetDataPlanePublisher>();
        services.AddAwsApis(o =>
        {
            o.Region = options.Region;
            o.AccountId = options.AccountId;
            o.DataDirectory = options.DataDirectory;
            if (options.CloudFormation is { Length: > 0 } templates)
            {
                o.CloudFormationPaths.Add(templates);
            }
        });

        // Rule files.
        services.AddSingleton<RuleFileWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RuleFileWatcher>());
        services.AddSingleton<FunctionsFileWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<FunctionsFileWatcher>());
    }

    /// <summary>Turns a start-up exception into one clear line (which port, which option).</summary>
    public static string DescribeStartFailure(Exception ex, EmulatorOptions options)
    {
        var addressInUse = false;
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException || e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                addressInUse = true;
            }
        }
        var text = ex.Message;
        string? which = null;
        if (options.MqttPort != 0 && text.Contains($":{options.MqttPort}", StringComparison.Ordinal))
        {
            which = $"MQTT port {options.MqttPort} (--mqtt-port)";
        }
        else if (options.HttpPort != 0 && text.Contains($":{options.HttpPort}", StringComparison.Ordinal))
        {
            which = $"HTTP port {options.HttpPort} (--http-port)";
        }
        if (which is not null)
        {
            return addressInUse
                ? $"Start-up failed: cannot listen on {which}: the port is already in use. Stop the other program or choose another port."
                : $"Start-up failed: cannot listen on {which}: {text}";
        }
        return $"Start-up failed: {text}";
    }

    private static void LogWarmUp(Microsoft.Extensions.Logging.ILogger logger, WarmUpResult warmUp)
    {
        if (warmUp.Error is null)
        {
            Log.WarmedUp(logger, warmUp.Messages, warmUp.Elapsed.TotalSeconds);
        }
        else
        {
            Log.WarmUpFailed(logger, warmUp.Elapsed.TotalSeconds, warmUp.Error);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.Started, LogLevel.Information,
            "IoTRuleEmu started: MQTT on port {MqttPort}, HTTP on port {HttpPort} (MQTT over WebSocket at {WebSocketPath}); rules {RulesDirectory}, functions {FunctionsFile}, data {DataDirectory}; region {Region}, account {AccountId}, Lambda retry delays {RetryDelays} s")]
        public static partial void Started(Microsoft.Extensions.Logging.ILogger logger, int mqttPort, int httpPort, string webSocketPath,
            string rulesDirectory, string functionsFile, string dataDirectory, string region, string accountId, string retryDelays);

        [LoggerMessage(EventIds.WarmedUp, LogLevel.Information,
            "Warmed up before start: {Messages} messages from MQTT to InvokeExecution through a private emulator in {Seconds:0.00} s")]
        public static partial void WarmedUp(Microsoft.Extensions.Logging.ILogger logger, int messages, double seconds);

        [LoggerMessage(EventIds.WarmUpFailed, LogLevel.Warning,
            "Warm-up before start stopped after {Seconds:0.00} s ({Reason}); the first messages may wait for the JIT")]
        public static partial void WarmUpFailed(Microsoft.Extensions.Logging.ILogger logger, double seconds, string reason);

        [LoggerMessage(EventIds.Stopping, LogLevel.Information, "IoTRuleEmu stopping: finishing work in flight")]
        public static partial void Stopping(Microsoft.Extensions.Logging.ILogger logger);
    }
}
