using System.Buffers;
using System.Text.Json;
using IoTRuleEmu.Broker;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Engine.Model;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTRuleEmu.Endpoints;

/// <summary>
/// <c>GET /_emulator/stats</c>: counters since start, for load and soak tests that want to know how far the emulator got
/// without reading its logs (messages the broker handed to the rules engine, work still pending, records written).
/// </summary>
public static class StatsEndpoints
{
    public const string StatsPath = "/_emulator/stats";

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(StatsPath, static (MqttBroker broker, IRuleStore rules, RuleEngine engine, ICloudTrailLog cloudTrail,
            IInvocationLog invocations, IAsyncInvocationQueue queue) =>
        {
            var body = new ArrayBufferWriter<byte>(512);
            using (var w = new Utf8JsonWriter(body))
            {
                w.WriteStartObject();
                w.WriteStartObject("mqtt");
                w.WriteNumber("messagesAccepted", broker.AcceptedCount);
                w.WriteNumber("deliveriesDropped", broker.DroppedCount);
                w.WriteEndObject();
                w.WriteStartObject("rules");
                w.WriteNumber("loaded", rules.Current.Rules.Length);
                w.WriteNumber("pendingWork", engine.PendingWork);
                w.WriteEndObject();
                w.WriteStartObject("lambda");
                w.WriteNumber("cloudTrailRecords", cloudTrail.TotalCount);
                w.WriteNumber("executionAttempts", invocations.TotalCount);
                w.WriteNumber("scheduledRetries", queue.ScheduledRetries);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            return Results.Bytes(body.WrittenMemory, "application/json");
        });
        return endpoints;
    }
}
