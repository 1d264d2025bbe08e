using System.Globalization;
using System.Text.Json.Nodes;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Lambda;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Clock;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Configuration;
using IoTRuleEmu.Lambda.Destinations;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Lambda.Permissions;
using IoTRuleEmu.Lambda.Persistence;
using IoTRuleEmu.Lambda.Remote;
using IoTRuleEmu.Lambda.Rules;
using IoTRuleEmu.Lambda.Runners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class LambdaEmulatorBuilderExtensions
{
    /// <summary>
    /// Registers the Lambda emulation: functions registry and runners, Invoke (<see cref="ILambdaService"/>: Event,
    /// RequestResponse, DryRun, remote functions), EventInvokeConfig (<see cref="IEventInvokeConfigStore"/>), the durable
    /// async queue with retries, event age, throttling and timeouts, destinations and DLQs, CloudTrail, invocation and
    /// destination logs, and the <c>lambda</c> rule action. TryAdd throughout.
    /// </summary>
    public static IRuleEngineBuilder AddLambdaEmulator(this IRuleEngineBuilder builder, Action<LambdaEmulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<LambdaEmulatorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton<LambdaStateDatabase>();
        services.TryAddSingleton<IEventInvokeConfigStore, EventInvokeConfigStore>();
        services.TryAddSingleton<IFunctionRunnerFactory, FunctionRunnerFactory>();
        services.TryAddSingleton<IFunctionRegistry>(sp => ActivatorUtilities.CreateInstance<FunctionRegistry>(sp, sp.GetRequiredService<IEventInvokeConfigStore>()));
        services.TryAddSingleton<IFunctionPolicy, EmptyFunctionPolicy>();
        services.TryAddSingleton<ICloudTrailLog, CloudTrailLog>();
        services.TryAddSingleton<IInvocationLog, InvocationLog>();
        services.TryAddSingleton<IDestinationLog, DestinationLog>();
        services.TryAddSingleton<IRetryPolicy>(sp => new DefaultRetryPolicy(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LambdaEmulatorOptions>>(), sp.GetRequiredService<IEventInvokeConfigStore>()));
        services.TryAddSingleton<IRetryScheduler, TimerRetryScheduler>();
        services.TryAddSingleton<IAsyncInvocationStore, SqliteAsyncInvocationStore>();
        services.TryAddSingleton<FunctionExecutor>();
        services.TryAddSingleton<IAwsCredentialsSource, SdkCredentialsSource>();
        services.TryAddSingleton<RemoteLambdaClient>();
        services.TryAddSingleton<SqsSender>();
        services.TryAddSingleton<SnsSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAsyncInvocationListener, DestinationDispatcher>());
        services.TryAddSingleton<AsyncInvocationQueue>();
        services.TryAddSingleton<IAsyncInvocationQueue>(sp => sp.GetRequiredService<AsyncInvocationQueue>());
        services.TryAddSingleton<ILambdaService, LambdaService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRuleActionFactory, LambdaRuleActionFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LambdaHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClockSettler, EngineClockSettler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClockSettler, LambdaQueueClockSettler>());
        return builder;
    }

    /// <summary>
    /// Makes a <see cref="VirtualTimeProvider"/> (starting at <paramref name="start"/>, the real time when null) the
    /// <see cref="TimeProvider"/>, and registers the <see cref="VirtualClock"/> that advances it. Call before anything
    /// registers a TimeProvider (the host: when <c>--clock virtual</c>).
    /// </summary>
    public static IServiceCollection AddVirtualClock(this IServiceCollection services, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var time = new VirtualTimeProvider(start ?? TimeProvider.System.GetUtcNow());
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(time);
        services.TryAddSingleton<VirtualClock>();
        return services;
    }

    /// <summary>
    /// Maps <c>GET /_emulator/clock</c> (<c>{"mode":"virtual"|"real","now"}</c>) and, with a virtual clock,
    /// <c>POST /_emulator/clock/advance</c> with <c>{"seconds": N}</c>: runs everything that falls due, in order, and answers
    /// <c>{"from","to","timersFired","unsettled"}</c> (400 for a bad body, 409 when the clock is real).
    /// </summary>
    public static IEndpointRouteBuilder MapLambdaEmulatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/_emulator/clock", static (HttpContext context) =>
        {
            var clock = context.RequestServices.GetService<VirtualClock>();
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            return Json(new JsonObject { ["mode"] = clock is null ? "real" : "virtual", ["now"] = Iso(now) });
        });
        endpoints.MapPost("/_emulator/clock/advance", static async (HttpContext context) =>
        {
            var clock = context.RequestServices.GetService<VirtualClock>();
            if (clock is null)
            {
                return Json(new JsonObject { ["message"] = "The clock is real: start the emulator with --clock virtual to advance it." }, 409);
            }
            double seconds;
            try
            {
                using var doc = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                if (!doc.RootElement.TryGetProperty("seconds", out var s) || !s.TryGetDouble(out seconds) || seconds < 0 || seconds > 10 * 365 * 86400)
                {
                    return Json(new JsonObject { ["message"] = "Expected {\"seconds\": N} with N >= 0." }, 400);
                }
            }
            catch (System.Text.Json.JsonException ex)
            {
                return Json(new JsonObject { ["message"] = "Expected {\"seconds\": N}: " + ex.Message }, 400);
            }
            var result = await clock.AdvanceAsync(TimeSpan.FromSeconds(seconds), context.RequestAborted).ConfigureAwait(false);
            return Json(new JsonObject
            {
                ["from"] = Iso(result.From),
                ["to"] = Iso(result.To),
                ["timersFired"] = result.TimersFired,
                ["unsettled"] = result.Unsettled,
            });
        });
        return endpoints;
    }

    // JsonObject rather than Results.Json: the native (AOT) build has no reflection-based serializer for a dictionary.
    private static IResult Json(JsonObject body, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(body.ToJsonString(), "application/json; charset=utf-8", statusCode: statusCode);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class EngineClockSettler(IRuleEngine engine) : IClockSettler
    {
        public Task WhenSettledAsync(CancellationToken cancellationToken) => engine.WhenIdleAsync(cancellationToken);
    }

    private sealed class LambdaQueueClockSettler(IAsyncInvocationQueue queue) : IClockSettler
    {
        public Task WhenSettledAsync(CancellationToken cancellationToken) => queue.WhenIdleAsync(cancellationToken);
    }
}
