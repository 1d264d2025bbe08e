using IoTRuleEmu.Actions.Republish;
using IoTRuleEmu.Engine.Actions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class RuleActionsBuilderExtensions
{
    /// <summary>
    /// Registers the rule actions of IoTRuleEmu.Actions: <c>republish</c>. The host must register an
    /// <see cref="IMessagePublisher"/>; without one, republish actions fail (and run the error action).
    /// </summary>
    public static IRuleEngineBuilder AddRuleActions(this IRuleEngineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRuleActionFactory, RepublishActionFactory>());
        return builder;
    }
}
