using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using IoTRuleEmu.Engine.Dispatch;
using IoTRuleEmu.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRuleEmu.Broker;

/// <summary>
/// Runs the MQTTnet server and connects it to the rules engine. Started as a hosted service before Kestrel, so the
/// broker is running before any connection is accepted (Kestrel owns the sockets; see
/// <see cref="KestrelMqttConnectionHandler"/>). The publish interceptor only copies a message into the engine's
/// bounded channel; rules are never evaluated on the broker's receive loop.
/// </summary>
public sealed partial class MqttBroker : IHostedLifecycleService
{
    /// <summary>AWS IoT Core's limit for a PUBLISH payload (128 KB); larger publishes disconnect the client.</summary>
    public const int MaxPayloadBytes = 128 * 1024;

    /// <summary>Topics that start with this are Basic Ingest: they go to one rule and never to subscribers.</summary>
    public const string BasicIngestPrefix = "$aws/rules/";

    /// <summary>The sender client id of messages the rules engine publishes (republish).</summary>
    public const string RulesEngineClientId = "iotruleemu-rules-engine";

    /// <summary>Pending messages a subscriber may have queued before MQTTnet drops any (each drop is logged).</summary>
    public const int MaxPendingMessagesPerClient = 250_000;

    private const string SourceIpKey = "iotruleemu.sourceIp";
    private static readonly object s_injectedMarker = new();

    private readonly IRuleEngine _engine;
    private readonly TimeProvider _time;
    private readonly EmulatorReadiness _readiness;
    private readonly ILogger<MqttBroker> _logger;
    private long _acceptedCount;
    private long _droppedCount;

    public MqttBroker(MqttServer server, IRuleEngine engine, TimeProvider time, EmulatorReadiness readiness, ILogger<MqttBroker> logger)
    {
        Server = server;
        _engine = engine;
        _time = time;
        _readiness = readiness;
        _logger = logger;
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.ClientConnectedAsync += OnClientConnectedAsync;
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        server.ApplicationMessageEnqueuedOrDroppedAsync += OnEnqueuedOrDroppedAsync;
        server.QueuedApplicationMessageOverwrittenAsync += OnQueuedMessageOverwrittenAsync;
        server.StartedAsync += OnStartedAsync;
        server.StoppedAsync += OnStoppedAsync;
    }

    /// <summary>Session items that mark a message as injected by the host (<see cref="MqttNetPublisher"/>).</summary>
    internal static IDictionary InjectedSessionItems { get; } = new Hashtable { [s_injectedMarker] = true };

    public MqttServer Server { get; }

    /// <summary>Messages handed to the rules engine so far (client publishes; republished messages are counted by the publisher).</summary>
    public long AcceptedCount => Interlocked.Read(ref _acceptedCount);

    /// <summary>Messages MQTTnet dropped from a subscriber's queue so far (each one is also logged).</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>Raised after a client's message was written to the engine's channel (in-process signal for tests and metrics).</summary>
    public event Action<InboundMessage>? MessageAccepted;

    /// <summary>Raised when a client was disconnected for a payload over <see cref="MaxPayloadBytes"/>.</summary>
    public event Action<string, string, long>? PayloadRejected;

    /// <summary>Builds the MQTTnet server options: bigger per-client queues; listeners come from Kestrel.</summary>
    public static MqttServerOptions CreateServerOptions() =>
        new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithMaxPendingMessagesPerClient(MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage)
            .Build();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Server.StartAsync().ConfigureAwait(false);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// First step of shutdown (before Kestrel stops): refuse new clients and disconnect the connected ones, so that
    /// Kestrel need not wait for long-lived MQTT connections. The broker keeps running for republishes of work in flight.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!Server.IsStarted)
        {
            return;
        }
        Server.AcceptNewConnections = false;
        IList<MqttClientStatus> clients;
        try
        {
            clients = await Server.GetClientsAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return;
        }
        var disconnect = new MqttServerClientDisconnectOptions
        {
            ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown,
            ReasonString = "The emulator is shutting down.",
        };
        await Task.WhenAll(clients.Select(async c =>
        {
            try
            {
                await c.DisconnectAsync(disconnect).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.DisconnectOnShutdownFailed(_logger, c.Id, ex.Message);
            }
        })).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server.IsStarted)
        {
            await Server.StopAsync(new MqttServerStopOptions
            {
                DefaultClientDisconnectOptions = new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown },
            }).ConfigureAwait(false);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task OnStartedAsync(EventArgs e)
    {
        _readiness.MarkBrokerStarted();
        Log.BrokerStarted(_logger);
        return Task.CompletedTask;
    }

    private Task OnStoppedAsync(EventArgs e)
    {
        Log.BrokerStopped(_logger, AcceptedCount, DroppedCount);
        return Task.CompletedTask;
    }

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            // MQTT 5 with an empty client id: assign one (returned in the CONNACK). v3.1.1 is handled by
            // ClientIdAssigningChannelAdapter before MQTTnet validates the CONNECT.
            e.AssignedClientIdentifier = KestrelMqttConnectionHandler.NewClientId();
            Log.ClientIdAssigned(_logger, e.AssignedClientIdentifier, e.RemoteEndPoint?.ToString() ?? "");
        }
        if (e.RemoteEndPoint is IPEndPoint ip)
        {
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            e.SessionItems[SourceIpKey] = address.ToString();
        }
        return Task.CompletedTask;
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs e)
    {
        Log.ClientConnected(_logger, e.ClientId, e.RemoteEndPoint?.ToString() ?? "", e.ProtocolVersion.ToString());
        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        Log.ClientDisconnected(_logger, e.ClientId, e.DisconnectType.ToString(), e.ReasonCode?.ToString() ?? "none");
        return Task.CompletedTask;
    }

    private async Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        if (ReferenceEquals(e.SessionItems, InjectedSessionItems))
        {
            // Published by the rules engine (republish): the publisher already fed it to the engine with its depth.
            if (e.ApplicationMessage.Topic.StartsWith(BasicIngestPrefix, StringComparison.Ordinal))
            {
                e.ProcessPublish = false;
            }
            return;
        }
        var message = e.ApplicationMessage;
        var length = message.Payload.Length;
        if (length > MaxPayloadBytes)
        {
            // AWS IoT Core rejects the publish and disconnects the client.
            e.ProcessPublish = false;
            e.CloseConnection = true;
            Log.PayloadTooLarge(_logger, e.ClientId, message.Topic, length, MaxPayloadBytes);
            PayloadRejected?.Invoke(e.ClientId, message.Topic, length);
            return;
        }
        if (message.Topic.StartsWith(BasicIngestPrefix, StringComparison.Ordinal))
        {
            // Basic Ingest: the rules engine only, no subscriber, never retained.
            e.ProcessPublish = false;
            Log.BasicIngestReceived(_logger, e.ClientId, message.Topic);
        }
        var sourceIp = e.SessionItems?[SourceIpKey] as string;
        var inbound = InboundMessageMapper.FromMqtt(message, e.ClientId, sourceIp, e.UserName, _time.GetUtcNow());
        try
        {
            // Completes at once while the channel has room; otherwise this one publisher waits (flow control), and
            // nothing is dropped.
            var write = _engine.EnqueueAsync(inbound, e.CancellationToken);
            if (!write.IsCompleted)
            {
                Log.EngineBackpressure(_logger, e.ClientId, message.Topic);
            }
            await write.ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Only while shutting down (the engine stopped taking messages): refuse the publish visibly.
            Log.EngineStopped(_logger, e.ClientId, message.Topic);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.ImplementationSpecificError;
            return;
        }
        Interlocked.Increment(ref _acceptedCount);
        MessageAccepted?.Invoke(inbound);
    }

    private Task OnEnqueuedOrDroppedAsync(ApplicationMessageEnqueuedEventArgs e)
    {
        if (e.IsDropped)
        {
            Interlocked.Increment(ref _droppedCount);
            Log.MessageDropped(_logger, e.ReceiverClientId, e.ApplicationMessage.Topic, e.SenderClientId ?? "", MaxPendingMessagesPerClient);
        }
        return Task.CompletedTask;
    }

    private Task OnQueuedMessageOverwrittenAsync(QueueMessageOverwrittenEventArgs e)
    {
        Interlocked.Increment(ref _droppedCount);
        Log.QueuedMessageOverwritten(_logger, e.ReceiverClientId, e.Packet?.ToString() ?? "");
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(Logging.EventIds.BrokerStarted, LogLevel.Information, "MQTT broker started")]
        public static partial void BrokerStarted(ILogger logger);

        [LoggerMessage(Logging.EventIds.BrokerStopped, LogLevel.Information, "MQTT broker stopped after {AcceptedCount} messages to the rules engine, {DroppedCount} dropped deliveries")]
        public static partial void BrokerStopped(ILogger logger, long acceptedCount, long droppedCount);

        [LoggerMessage(Logging.EventIds.ClientIdAssigned, LogLevel.Debug, "Assigned client id {ClientId} to a client with an empty client id ({Endpoint})")]
        public static partial void ClientIdAssigned(ILogger logger, string clientId, string endpoint);

        [LoggerMessage(Logging.EventIds.ClientConnected, LogLevel.Information, "Client {ClientId} connected from {Endpoint} ({ProtocolVersion})")]
        public static partial void ClientConnected(ILogger logger, string clientId, string endpoint, string protocolVersion);

        [LoggerMessage(Logging.EventIds.ClientDisconnected, LogLevel.Information, "Client {ClientId} disconnected ({DisconnectType}, reason {ReasonCode})")]
        public static partial void ClientDisconnected(ILogger logger, string clientId, string disconnectType, string reasonCode);

        [LoggerMessage(Logging.EventIds.PayloadTooLarge, LogLevel.Warning, "Refused PUBLISH from client {ClientId} to {Topic}: payload of {PayloadBytes} bytes exceeds the {MaxPayloadBytes}-byte limit; client disconnected as AWS IoT Core does")]
        public static partial void PayloadTooLarge(ILogger logger, string clientId, string topic, long payloadBytes, int maxPayloadBytes);

        [LoggerMessage(Logging.EventIds.BasicIngestReceived, LogLevel.Debug, "Basic Ingest message from {ClientId} on {Topic}: rules engine only")]
        public static partial void BasicIngestReceived(ILogger logger, string clientId, string topic);

        [LoggerMessage(Logging.EventIds.EngineBackpressure, LogLevel.Debug, "Rules engine channel full; publisher {ClientId} waits ({Topic})")]
        public static partial void EngineBackpressure(ILogger logger, string clientId, string topic);

        [LoggerMessage(Logging.EventIds.EngineStopped, LogLevel.Warning, "Message from {ClientId} on {Topic} refused: the rules engine is shutting down")]
        public static partial void EngineStopped(ILogger logger, string clientId, string topic);

        [LoggerMessage(Logging.EventIds.MessageDropped, LogLevel.Warning, "Dropped message on {Topic} for subscriber {ReceiverClientId} (from {SenderClientId}): its queue holds {MaxPending} undelivered messages")]
        public static partial void MessageDropped(ILogger logger, string receiverClientId, string topic, string senderClientId, int maxPending);

        [LoggerMessage(Logging.EventIds.QueuedMessageOverwritten, LogLevel.Warning, "Dropped queued message for subscriber {ReceiverClientId}: {Packet}")]
        public static partial void QueuedMessageOverwritten(ILogger logger, string receiverClientId, string packet);

        [LoggerMessage(Logging.EventIds.DisconnectOnShutdownFailed, LogLevel.Debug, "Could not disconnect client {ClientId} on shutdown: {Reason}")]
        public static partial void DisconnectOnShutdownFailed(ILogger logger, string clientId, string reason);
    }
}
