using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace IoTRuleEmu.Hosting;

/// <summary>
/// The start-up warm-up's device: one MQTT 3.1.1 connection that publishes telemetry documents at QoS 0, then at QoS 1
/// in windows of <see cref="Window"/> unacknowledged messages, and disconnects. A few packet layouts written by hand
/// rather than MQTTnet's client, whose code the emulator would otherwise compile at start for nothing.
/// </summary>
internal static class WarmUpPublisher
{
    /// <summary>QoS 1 publishes in flight, as a device with a send window keeps them.</summary>
    public const int Window = 32;

    public static async Task PublishAsync(int port, string topic, int qos0Messages, int qos1Messages, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var packets = new ArrayBufferWriter<byte>(64 * 1024);

        WriteConnect(packets, "iotruleemu-warm-up");
        await stream.WriteAsync(packets.WrittenMemory, cancellationToken).ConfigureAwait(false);
        var ack = new byte[4 * Window];
        await stream.ReadExactlyAsync(ack.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        if (ack[0] != 0x20 || ack[3] != 0)
        {
            throw new InvalidOperationException($"the broker refused the connection (CONNACK {Convert.ToHexString(ack, 0, 4)})");
        }

        var topicBytes = Encoding.UTF8.GetBytes(topic);
        var sequence = 0;
        packets.ResetWrittenCount();
        for (var i = 0; i < qos0Messages; i++)
        {
            WritePublish(packets, topicBytes, packetId: 0, sequence++);
        }
        await stream.WriteAsync(packets.WrittenMemory, cancellationToken).ConfigureAwait(false);

        for (var sent = 0; sent < qos1Messages;)
        {
            var batch = Math.Min(Window, qos1Messages - sent);
            packets.ResetWrittenCount();
            for (var i = 0; i < batch; i++)
            {
                WritePublish(packets, topicBytes, (ushort)(sent + i + 1), sequence++);
            }
            await stream.WriteAsync(packets.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.ReadExactlyAsync(ack.AsMemory(0, 4 * batch), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch; i++)
            {
                if (ack[4 * i] != 0x40 || BinaryPrimitives.ReadUInt16BigEndian(ack.AsSpan(4 * i + 2)) != (ushort)(sent + i + 1))
                {
                    throw new InvalidOperationException($"unexpected packet instead of PUBACK {sent + i + 1}: {Convert.ToHexString(ack, 4 * i, 4)}");
                }
            }
            sent += batch;
        }

        await stream.WriteAsync(new byte[] { 0xE0, 0x00 }, cancellationToken).ConfigureAwait(false); // DISCONNECT
    }

    private static void WriteConnect(ArrayBufferWriter<byte> output, string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        ReadOnlySpan<byte> variableHeader = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60]; // level 4, clean session, keep-alive 60 s
        WriteFixedHeader(output, 0x10, variableHeader.Length + 2 + id.Length);
        Write(output, variableHeader);
        WriteString(output, id);
    }

    private static void WritePublish(ArrayBufferWriter<byte> output, byte[] topic, ushort packetId, int sequence)
    {
        Span<byte> payload = stackalloc byte[256];
        var length = Payload(payload, sequence);
        WriteFixedHeader(output, packetId == 0 ? (byte)0x30 : (byte)0x32, 2 + topic.Length + (packetId == 0 ? 0 : 2) + length);
        WriteString(output, topic);
        if (packetId != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), packetId);
            output.Advance(2);
        }
        Write(output, payload[..length]);
    }

    /// <summary>A ~200-byte telemetry document, as the devices the emulator stands in for send them.</summary>
    private static int Payload(Span<byte> destination, int sequence)
    {
        var temperature = 150 + sequence % 150;
        var ok = Utf8.TryWrite(destination, CultureInfo.InvariantCulture,
            $$$"""{"deviceId":"warm-up-{{{sequence % 8}}}","seq":{{{sequence}}},"temperature":{{{temperature / 10}}}.{{{temperature % 10}}},"humidity":{{{40 + sequence % 20}}},"pressure":1013.25,"battery":{"voltage":3.71,"level":88},"status":"ok","location":{"lat":47.6062,"lon":-122.3321}}""",
            out var written);
        return ok ? written : throw new InvalidOperationException("warm-up payload larger than its buffer");
    }

    private static void WriteFixedHeader(ArrayBufferWriter<byte> output, byte type, int remainingLength)
    {
        var span = output.GetSpan(5);
        span[0] = type;
        var n = 1;
        do
        {
            var digit = (byte)(remainingLength % 128);
            remainingLength /= 128;
            span[n++] = remainingLength > 0 ? (byte)(digit | 0x80) : digit;
        }
        while (remainingLength > 0);
        output.Advance(n);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, byte[] text)
    {
        BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), (ushort)text.Length);
        output.Advance(2);
        Write(output, text);
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
