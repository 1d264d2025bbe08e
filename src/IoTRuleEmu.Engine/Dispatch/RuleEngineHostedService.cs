using IoTRuleEmu.Engine.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Engine.Dispatch;

/// <summary>
/// Starts and stops the dispatch workers with the host. When <see cref="RuleEngineOptions.RulesDirectory"/> is set, loads
/// the rules from it first (watching for changes is the host's job: call <see cref="IRuleStore"/>).
/// </summary>
internal sealed class RuleEngineHostedService(RuleEngine engine, IRuleStore store, IOptions<RuleEngineOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RulesDirectory is { Length: > 0 } directory)
        {
            store.LoadDirectory(directory);
        }
        return engine.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);
}
