using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoTRuleEmu.Hosting;

/// <summary>The listeners Kestrel opened; after start-up their ports are the real ones (useful with port 0).</summary>
public sealed class BoundEndpoints
{
    internal ListenOptions? Mqtt { get; set; }

    internal ListenOptions? Http { get; set; }

    /// <summary>The MQTT TCP port actually bound (valid after start-up).</summary>
    public int MqttPort => Port(Mqtt);

    /// <summary>The HTTP port actually bound (valid after start-up).</summary>
    public int HttpPort => Port(Http);

    private static int Port(ListenOptions? listen) =>
        (listen?.EndPoint as IPEndPoint)?.Port ?? throw new InvalidOperationException("The emulator has not started listening yet.");
}
