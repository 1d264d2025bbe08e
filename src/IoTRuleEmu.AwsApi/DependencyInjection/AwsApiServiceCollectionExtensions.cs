using IoTRuleEmu.AwsApi;
using IoTRuleEmu.AwsApi.CloudTrail;
using IoTRuleEmu.AwsApi.Emulator;
using IoTRuleEmu.AwsApi.Hosting;
using IoTRuleEmu.AwsApi.Iot;
using IoTRuleEmu.AwsApi.IotData;
using IoTRuleEmu.AwsApi.Lambda;
using IoTRuleEmu.AwsApi.Protocol;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Lambda.Permissions;
using IoTRuleEmu.Lambda.Invocations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class AwsApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the AWS-compatible APIs: the dispatcher, one handler per service (IoT, IoT data plane, Lambda,
    /// CloudTrail), rule persistence, the functions' resource policies (which become the Lambda library's
    /// <see cref="IFunctionPolicy"/>), the CloudFormation loader and the default <see cref="IDataPlanePublisher"/>
    /// (rules engine only; the host registers its broker-backed one first, or after with <c>Replace</c>).
    /// Needs <c>AddIoTRuleEngine().AddLambdaEmulator()</c>.
    /// </summary>
    public static IServiceCollection AddAwsApis(this IServiceCollection services, Action<AwsApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AwsApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDataPlanePublisher, RulesEngineDataPlanePublisher>();
        services.TryAddSingleton<ApiRuleRepository>();
        services.TryAddSingleton<RuleOrigins>();
        services.TryAddSingleton<FunctionCatalog>();
        services.TryAddSingleton<FunctionPolicyStore>();
        // add-permission statements decide whether rules may invoke a function that does not allow IoT by definition
        // (replaces the Lambda library's empty policy, whether it was registered before or after us).
        services.RemoveAll<IFunctionPolicy>();
        services.AddSingleton<IFunctionPolicy>(sp => sp.GetRequiredService<FunctionPolicyStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsServiceHandler, IotHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsServiceHandler, IotDataHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsServiceHandler, LambdaHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsServiceHandler, CloudTrailHandler>());
        services.TryAddSingleton<AwsApiDispatcher>();
        services.TryAddSingleton<AwsApiStartup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AwsApiStartup>(sp => sp.GetRequiredService<AwsApiStartup>()));
        return services;
    }
}

public static class AwsApiEndpointRouteBuilderExtensions
{
    /// <summary>The path templates of the emulated services (REST paths, and <c>POST /</c> for JSON 1.1 targets).</summary>
    private static readonly string[] s_patterns =
    [
        "/rules", "/rules/{**rest}",
        "/topics/{**rest}", "/retainedMessage", "/retainedMessage/{**rest}",
        "/2015-03-31/{**rest}", "/2019-09-25/{**rest}", "/2014-11-13/{**rest}",
    ];

    /// <summary>
    /// Maps the AWS-compatible APIs (IoT rules, IoT data plane, Lambda, CloudTrail <c>POST /</c>) and the emulator's
    /// <c>/_emulator/rules</c>, <c>/_emulator/rules/{name}</c> and <c>/_emulator/invocations</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapAwsApis(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var dispatcher = endpoints.ServiceProvider.GetRequiredService<AwsApiDispatcher>();
        RequestDelegate handle = dispatcher.InvokeAsync;
        endpoints.MapPost("/", handle).WithDisplayName("AWS JSON 1.1 (X-Amz-Target)");
        foreach (var pattern in s_patterns)
        {
            endpoints.Map(pattern, handle).WithDisplayName("AWS API " + pattern);
        }
        endpoints.MapGet(EmulatorEndpoints.RulesPath, static (HttpContext c, IRuleStore store, RuleOrigins origins) =>
            EmulatorEndpoints.WriteRulesAsync(c, store, origins));
        endpoints.MapGet(EmulatorEndpoints.RulesPath + "/{name}", static (HttpContext c, string name, IRuleStore store, RuleOrigins origins) =>
            EmulatorEndpoints.WriteRuleAsync(c, name, store, origins));
        endpoints.MapGet(EmulatorEndpoints.InvocationsPath, static (HttpContext c, IInvocationLog log) =>
            EmulatorEndpoints.WriteInvocationsAsync(c, log));
        return endpoints;
    }
}
