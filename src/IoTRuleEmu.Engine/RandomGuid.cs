namespace IoTRuleEmu.Engine;

/// <summary>
/// Random (version 4) GUIDs for request ids, event ids and trace ids, several per message. They must be unique, not
/// secret: <see cref="Guid.NewGuid"/> costs a <c>getrandom</c> system call each on this platform, and
/// <c>RandomNumberGenerator</c> goes through OpenSSL on Linux, mapping libcrypto (~3.4 MB resident) into a process that
/// has no other use for it. <see cref="Random.Shared"/> (xoshiro256**, seeded by the OS, one state a thread) is neither.
/// </summary>
public static class RandomGuid
{
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the high nibble of the 7th byte in .NET's layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    /// <summary>The GUID in its usual text form (<c>D</c>: 8-4-4-4-12 lowercase hex).</summary>
    public static string NewString() => NewGuid().ToString();
}
