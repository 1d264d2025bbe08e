using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using MQTTnet.Adapter;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace IoTRuleEmu.Broker;

/// <summary>
/// Hands Kestrel connections (raw TCP on the MQTT port, WebSocket at <c>/mqtt</c>) to the MQTTnet server. Same job as
/// MQTTnet's <c>MqttConnectionHandler</c>, plus <see cref="ClientIdAssigningChannelAdapter"/>, and it closes
/// connections that arrive before the broker has started instead of failing on them.
/// Because Kestrel owns the listening sockets, a port that cannot be bound fails host start-up.
/// </summary>
public sealed class KestrelMqttConnectionHandler : ConnectionHandler, IMqttServerAdapter
{
    private volatile MqttServerOptions? _options;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Makes the server-assigned client ids.</summary>
    public static string NewClientId() => "iotruleemu-" + Guid.NewGuid().ToString("N")[..16];

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var options = _options;
        var handler = ClientHandler;
        if (options is null || handler is null)
        {
            connection.Abort(new ConnectionAbortedException("The MQTT broker is not running."));
            return;
        }
        var transferFormat = connection.Features.Get<ITransferFormatFeature>();
        if (transferFormat is not null)
        {
            transferFormat.ActiveFormat = TransferFormat.Binary;
        }
        var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        // The wrapper disposes the MqttConnectionContext.
        using var adapter = new ClientIdAssigningChannelAdapter(new MqttConnectionContext(formatter, connection), NewClientId);
        await handler(adapter).ConfigureAwait(false);
    }

    Func<IMqttChannelAdapter, Task> IMqttServerAdapter.ClientHandler
    {
        get => ClientHandler!;
        set => ClientHandler = value;
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _options = null;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }
}
