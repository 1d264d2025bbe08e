using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Functions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda;

/// <summary>Loads the functions file (when configured) and runs the async invocation queue with the host.</summary>
internal sealed class LambdaHostedService(AsyncInvocationQueue queue, IFunctionRegistry functions, IOptions<LambdaEmulatorOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.FunctionsFile is { Length: > 0 } file)
        {
            functions.LoadFile(file);
        }
        return queue.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => queue.StopAsync(cancellationToken);
}
