using System.Security.Cryptography;

namespace IoTRuleEmu.Engine;

/// <summary>
/// Random (version 4) GUIDs for request ids, event ids and trace ids, several per message. <see cref="Guid.NewGuid"/>
/// costs a <c>getrandom</c> system call each on this platform; this draws the same cryptographically strong bytes
/// 4 KB at a time per thread.
/// </summary>
public static class RandomGuid
{
    private const int BufferBytes = 4096;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_offset;

    public static Guid NewGuid()
    {
        var buffer = t_buffer ??= new byte[BufferBytes];
        if (t_offset == 0 || t_offset + 16 > BufferBytes)
        {
            RandomNumberGenerator.Fill(buffer);
            t_offset = 0;
        }
        Span<byte> bytes = stackalloc byte[16];
        buffer.AsSpan(t_offset, 16).CopyTo(bytes);
        // Each GUID's bytes are used once: clear them so that a dump of the buffer does not reveal issued ids.
        buffer.AsSpan(t_offset, 16).Clear();
        t_offset += 16;
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the high nibble of the 7th byte in .NET's layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    /// <summary>The GUID in its usual text form (<c>D</c>: 8-4-4-4-12 lowercase hex).</summary>
    public static string NewString() => NewGuid().ToString();
}
