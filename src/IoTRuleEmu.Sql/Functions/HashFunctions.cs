using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// <c>md2</c>, <c>md5</c>, <c>sha1</c>, <c>sha224</c>, <c>sha256</c>, <c>sha384</c>, <c>sha512</c>: the lower-case hex
/// digest of the UTF-8 bytes of the str-conv argument. .NET has no MD2 or SHA-224, so both are implemented here
/// (RFC 1319; FIPS 180-4) and checked against published vectors in the tests.
/// </summary>
internal static class HashFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("md2", 1, 1, V2015, static (a, c) => Hash(a[0], c, Md2.Hash));
        t.Add("md5", 1, 1, V2015, static (a, c) => Hash(a[0], c, static (s, d) => MD5.HashData(s, d)));
        t.Add("sha1", 1, 1, V2015, static (a, c) => Hash(a[0], c, static (s, d) => SHA1.HashData(s, d)));
        t.Add("sha224", 1, 1, V2015, static (a, c) => Hash(a[0], c, Sha224.Hash));
        t.Add("sha256", 1, 1, V2015, static (a, c) => Hash(a[0], c, static (s, d) => SHA256.HashData(s, d)));
        t.Add("sha384", 1, 1, V2015, static (a, c) => Hash(a[0], c, static (s, d) => SHA384.HashData(s, d)));
        t.Add("sha512", 1, 1, V2015, static (a, c) => Hash(a[0], c, static (s, d) => SHA512.HashData(s, d)));
    }

    /// <summary>Writes the digest of the source into the destination and returns its length.</summary>
    private delegate int HashInto(ReadOnlySpan<byte> source, Span<byte> destination);

    private static SqlValue Hash(SqlValue value, EvalContext context, HashInto hash)
    {
        if (!FunctionArgs.TryString(value, context.Version, out var text))
        {
            return SqlValue.Undefined;
        }
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var bytes = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(text, bytes);
            Span<byte> digest = stackalloc byte[64];
            var length = hash(bytes[..n], digest);
            return SqlValue.FromString(Convert.ToHexStringLower(digest[..length]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>MD2 (RFC 1319).</summary>
    internal static class Md2
    {
        /// <summary>The RFC's permutation of 0..255 built from the digits of pi.</summary>
        private static ReadOnlySpan<byte> S =>
        [
            41, 46, 67, 201, 162, 216, 124, 1, 61, 54, 84, 161, 236, 240, 6, 19,
            98, 167, 5, 243, 192, 199, 115, 140, 152, 147, 43, 217, 188, 76, 130, 202,
            30, 155, 87, 60, 253, 212, 224, 22, 103, 66, 111, 24, 138, 23, 229, 18,
            190, 78, 196, 214, 218, 158, 222, 73, 160, 251, 245, 142, 187, 47, 238, 122,
            169, 104, 121, 145, 21, 178, 7, 63, 148, 194, 16, 137, 11, 34, 95, 33,
            128, 127, 93, 154, 90, 144, 50, 39, 53, 62, 204, 231, 191, 247, 151, 3,
            255, 25, 48, 179, 72, 165, 181, 209, 215, 94, 146, 42, 172, 86, 170, 198,
            79, 184, 56, 210, 150, 164, 125, 182, 118, 252, 107, 226, 156, 116, 4, 241,
            69, 157, 112, 89, 100, 113, 135, 32, 134, 91, 207, 101, 230, 45, 168, 2,
            27, 96, 37, 173, 174, 176, 185, 246, 28, 70, 97, 105, 52, 64, 126, 15,
            85, 71, 163, 35, 221, 81, 175, 58, 195, 92, 249, 206, 186, 197, 234, 38,
            44, 83, 13, 110, 133, 40, 132, 9, 211, 223, 205, 244, 65, 129, 77, 82,
            106, 220, 55, 200, 108, 193, 171, 250, 36, 225, 123, 8, 12, 189, 177, 74,
            120, 136, 149, 139, 227, 99, 232, 109, 233, 203, 213, 254, 59, 0, 29, 57,
            242, 239, 183, 14, 102, 88, 208, 228, 166, 119, 114, 248, 235, 117, 75, 10,
            49, 68, 80, 180, 143, 237, 31, 26, 219, 153, 141, 51, 159, 17, 131, 20,
        ];

        public static int Hash(ReadOnlySpan<byte> message, Span<byte> digest)
        {
            Span<byte> state = stackalloc byte[48];
            Span<byte> checksum = stackalloc byte[16];
            Span<byte> block = stackalloc byte[16];
            state.Clear();
            checksum.Clear();

            var full = message.Length / 16 * 16;
            for (var offset = 0; offset < full; offset += 16)
            {
                Transform(state, checksum, message.Slice(offset, 16));
            }
            // Padding: i bytes of value i (1..16), always added.
            var rest = message.Length - full;
            message[full..].CopyTo(block);
            block[rest..].Fill((byte)(16 - rest));
            Transform(state, checksum, block);
            // The checksum is hashed as a last block (copied: Transform updates it).
            checksum.CopyTo(block);
            Transform(state, checksum, block);

            state[..16].CopyTo(digest);
            return 16;
        }

        private static void Transform(Span<byte> x, Span<byte> checksum, ReadOnlySpan<byte> block)
        {
            var s = S;
            var l = checksum[15];
            for (var i = 0; i < 16; i++)
            {
                l = checksum[i] ^= s[block[i] ^ l];
            }
            for (var i = 0; i < 16; i++)
            {
                x[16 + i] = block[i];
                x[32 + i] = (byte)(x[i] ^ block[i]);
            }
            var t = 0;
            for (var round = 0; round < 18; round++)
            {
                for (var k = 0; k < 48; k++)
                {
                    t = x[k] ^= s[t];
                }
                t = (t + round) & 0xFF;
            }
        }
    }

    /// <summary>SHA-224 (FIPS 180-4): SHA-256 with other initial values, cut to 28 bytes.</summary>
    internal static class Sha224
    {
        private static readonly uint[] K =
        [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ];

        public static int Hash(ReadOnlySpan<byte> message, Span<byte> digest)
        {
            Span<uint> h = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];
            Span<uint> w = stackalloc uint[64];
            Span<byte> tail = stackalloc byte[128];

            var full = message.Length / 64 * 64;
            for (var offset = 0; offset < full; offset += 64)
            {
                Compress(h, w, message.Slice(offset, 64));
            }
            // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian number.
            var rest = message.Length - full;
            tail.Clear();
            message[full..].CopyTo(tail);
            tail[rest] = 0x80;
            var tailLength = rest + 9 <= 64 ? 64 : 128;
            BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8, 8), (ulong)message.Length * 8);
            for (var offset = 0; offset < tailLength; offset += 64)
            {
                Compress(h, w, tail.Slice(offset, 64));
            }
            for (var i = 0; i < 7; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(i * 4, 4), h[i]);
            }
            return 28;
        }

        private static void Compress(Span<uint> h, Span<uint> w, ReadOnlySpan<byte> block)
        {
            unchecked
            {
                for (var i = 0; i < 16; i++)
                {
                    w[i] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(i * 4, 4));
                }
                for (var i = 16; i < 64; i++)
                {
                    var s0 = uint.RotateRight(w[i - 15], 7) ^ uint.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
                    var s1 = uint.RotateRight(w[i - 2], 17) ^ uint.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
                    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
                }
                uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
                for (var i = 0; i < 64; i++)
                {
                    var s1 = uint.RotateRight(e, 6) ^ uint.RotateRight(e, 11) ^ uint.RotateRight(e, 25);
                    var ch = (e & f) ^ (~e & g);
                    var t1 = hh + s1 + ch + K[i] + w[i];
                    var s0 = uint.RotateRight(a, 2) ^ uint.RotateRight(a, 13) ^ uint.RotateRight(a, 22);
                    var maj = (a & b) ^ (a & c) ^ (b & c);
                    var t2 = s0 + maj;
                    hh = g;
                    g = f;
                    f = e;
                    e = d + t1;
                    d = c;
                    c = b;
                    b = a;
                    a = t1 + t2;
                }
                h[0] += a;
                h[1] += b;
                h[2] += c;
                h[3] += d;
                h[4] += e;
                h[5] += f;
                h[6] += g;
                h[7] += hh;
            }
        }
    }
}
