using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace IoTRuleEmu.Broker;

/// <summary>
/// Wraps a connection's channel adapter so that an MQTT 3.1/3.1.1 CONNECT with an empty client id and clean session
/// gets a server-assigned id (MQTT-3.1.3-6), which MQTTnet 5 would otherwise reject ("identifier rejected").
/// MQTT 5 clients get theirs through <c>AssignedClientIdentifier</c> in the validating event, so the id reaches them
/// in the CONNACK.
/// </summary>
internal sealed class ClientIdAssigningChannelAdapter(IMqttChannelAdapter inner, Func<string> newClientId) : IMqttChannelAdapter
{
    private bool _connectSeen;

    public long BytesReceived => inner.BytesReceived;
    public long BytesSent => inner.BytesSent;
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

    /// <summary>The id assigned to a v3.1.1 client, if any.</summary>
    public string? AssignedClientId { get; private set; }

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        var packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
        if (!_connectSeen && packet is MqttConnectPacket connect)
        {
            _connectSeen = true;
            if (string.IsNullOrEmpty(connect.ClientId)
                && connect.CleanSession
                && inner.PacketFormatterAdapter.ProtocolVersion is MqttProtocolVersion.V310 or MqttProtocolVersion.V311)
            {
                connect.ClientId = AssignedClientId = newClientId();
            }
        }
        return packet;
    }

    public void ResetStatistics() => inner.ResetStatistics();

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

    public void Dispose() => inner.Dispose();
}
