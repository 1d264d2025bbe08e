using IoTRuleEmu.Engine;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chains the emulator's registrations: <c>services.AddIoTRuleEngine().AddLambdaEmulator().AddRuleActions()</c>.</summary>
public interface IRuleEngineBuilder
{
    IServiceCollection Services { get; }
}

public static class RuleEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the rules engine: <see cref="IRuleStore"/>, <see cref="IRuleEngine"/> (also an <see cref="IHostedService"/>
    /// running the dispatch workers), <see cref="IRuleActionRegistry"/>, <see cref="TimeProvider"/> (system clock unless one
    /// is registered already) and <see cref="RuleEngineOptions"/>. Uses TryAdd throughout so earlier registrations win.
    /// </summary>
    public static IRuleEngineBuilder AddIoTRuleEngine(this IServiceCollection services, Action<RuleEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RuleEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRuleActionRegistry, RuleActionRegistry>();
        services.TryAddSingleton<IRuleStore, RuleStore>();
        services.TryAddSingleton<RuleEngine>();
        services.TryAddSingleton<IRuleEngine>(sp => sp.GetRequiredService<RuleEngine>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RuleEngineHostedService>());
        return new RuleEngineBuilder(services);
    }

    private sealed class RuleEngineBuilder(IServiceCollection services) : IRuleEngineBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
