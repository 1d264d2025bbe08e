using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Lambda;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Invocations;
using IoTRuleEmu.Lambda.Permissions;
using IoTRuleEmu.Lambda.Rules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class LambdaEmulatorBuilderExtensions
{
    /// <summary>
    /// Registers the Lambda emulation: functions registry, Invoke (<see cref="ILambdaService"/>), the async queue with
    /// retries, CloudTrail and invocation logs, and the <c>lambda</c> rule action. TryAdd throughout.
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
        services.TryAddSingleton<IFunctionRunnerFactory, BehaviorFunctionRunnerFactory>();
        services.TryAddSingleton<IFunctionRegistry, FunctionRegistry>();
        services.TryAddSingleton<IFunctionPolicy, EmptyFunctionPolicy>();
        services.TryAddSingleton<ICloudTrailLog, CloudTrailLog>();
        services.TryAddSingleton<IInvocationLog, InvocationLog>();
        services.TryAddSingleton<IRetryPolicy, DefaultRetryPolicy>();
        services.TryAddSingleton<IRetryScheduler, TimerRetryScheduler>();
        services.TryAddSingleton<AsyncInvocationQueue>();
        services.TryAddSingleton<IAsyncInvocationQueue>(sp => sp.GetRequiredService<AsyncInvocationQueue>());
        services.TryAddSingleton<ILambdaService, LambdaService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRuleActionFactory, LambdaRuleActionFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LambdaHostedService>());
        return builder;
    }
}
