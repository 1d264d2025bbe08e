using IoTRuleEmu.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTRuleEmu.Endpoints;

/// <summary><c>/_emulator/health</c> (liveness) and <c>/_emulator/ready</c> (readiness).</summary>
public static class HealthEndpoints
{
    public const string HealthPath = "/_emulator/health";
    public const string ReadyPath = "/_emulator/ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(HealthPath, static () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        endpoints.MapGet(ReadyPath, static (EmulatorReadiness readiness) =>
        {
            var body = $"{{\"status\":\"{(readiness.IsReady ? "ready" : "starting")}\",\"broker\":{Json(readiness.BrokerStarted)},\"rules\":{Json(readiness.RulesLoaded)},\"http\":{Json(readiness.ServerStarted)}}}";
            return Results.Text(body, "application/json", statusCode: readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private static string Json(bool value) => value ? "true" : "false";
}
