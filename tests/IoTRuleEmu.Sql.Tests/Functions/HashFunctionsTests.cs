using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>
/// The hash functions: spec examples, published vectors for the hand-written MD2 (RFC 1319 appendix) and SHA-224
/// (FIPS 180-2 examples; padding edge lengths 55/56/64 bytes), str-conv of non-strings, Null/Undefined.
/// </summary>
public class HashFunctionsTests
{
    [Theory]
    [InlineData("md5", "hello", "5d41402abc4b2a76b9719d911017c592")]
    [InlineData("md5", "iot123", "e37f81fb397e595c4aeb5645b8cbbbd1")]
    [InlineData("md5", "", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("md2", "hello", "a9046c73e00331af68917d3804f70655")]
    [InlineData("md2", "", "8350e5a3e24c153df2275c9f80692773")]
    [InlineData("md2", "a", "32ec01ec4a6dac72c0ab96fb34c0b5d1")]
    [InlineData("md2", "abc", "da853b0d3f88d99b30283a69e6ded6bb")]
    [InlineData("md2", "message digest", "ab4f496bfb2a530b219ff33031fe06b0")]
    [InlineData("md2", "abcdefghijklmnopqrstuvwxyz", "4e8ddff3650292ab5a4108c3aa47940b")]
    [InlineData("md2", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "da33def2a42df13975352846c30338cd")]
    [InlineData("md2", "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "d5976f79d83d3a0dc9806c3c66f3efd8")]
    [InlineData("sha1", "hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")]
    [InlineData("sha1", "iot123", "68a5f0ebb3cc12bb16f175d550d734df766f7d12")]
    [InlineData("sha224", "", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")]
    [InlineData("sha224", "abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")]
    [InlineData("sha224", "hello", "ea09ae9cc6768c50fcee903ed054556e5bfc8347907f12598aa24193")]
    [InlineData("sha224", "The quick brown fox jumps over the lazy dog", "730e109bd7a8a32b1cb9d9a09aa2325d2430587ddbc0c38bad911525")]
    [InlineData("sha224", "€", "2d84d00439393727ea7c878a1e2e094e3a8e8d01d1784d2364d44e28")]
    [InlineData("sha256", "hello", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha384", "hello", "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f")]
    [InlineData("sha512", "hello", "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043")]
    public void Hash_OfString_IsLowerHex(string name, string input, string expected)
    {
        var result = Fn.Call(name, SqlVersion.V2015_10_08, Fn.DefaultMessage, null, SqlValue.FromString(input));
        Assert.Equal("String:" + expected, Fn.Show(result));
    }

    [Theory]
    [InlineData(55, "fb0bd626a70c28541dfa781bb5cc4d7d7f56622a58f01a0b1ddd646f")]
    [InlineData(56, "d40854fc9caf172067136f2e29e1380b14626bf6f0dd06779f820dcd")]
    [InlineData(64, "a88cd5cde6d6fe9136a4e58b49167461ea95d388ca2bdb7afdc3cbf4")]
    [InlineData(100, "7717a7de3353c1c55066230e54c104b00c86b71896708ac68a91e5ea")]
    [InlineData(1000, "4e8f0ce90b64661a2b5e84be6d93a7d9b76871062f1814433d04a03d")]
    public void Sha224_PaddingBoundaries(int length, string expected) =>
        Assert.Equal("String:" + expected, Fn.Show(Fn.Call("sha224", SqlVersion.V2015_10_08, Fn.DefaultMessage, null, SqlValue.FromString(new string('a', length)))));

    [Theory]
    [InlineData("md5", "5", "String:e4da3b7fbbce2345d7772b0674a318d5")]
    [InlineData("md5", "true", "String:b326b5062b2f0e69046810717534cb09")]
    [InlineData("md5", "[1,2]", "String:f79408e5ca998cd53faf44af31e6eb45")]
    [InlineData("sha1", "5", "String:ac3478d69a3c81fa62e60f5c3696165a4e5e6ac4")]
    [InlineData("sha224", "true", "String:6aedcf1f4f9595467c7483d7f5c216be2e7027d76c03e8eac4a2c32d")]
    [InlineData("md2", "null", "Undefined")]
    [InlineData("md5", "null", "Undefined")]
    [InlineData("sha1", "undefined", "Undefined")]
    [InlineData("sha224", "null", "Undefined")]
    [InlineData("sha256", "undefined", "Undefined")]
    [InlineData("sha384", "null", "Undefined")]
    [InlineData("sha512", "undefined", "Undefined")]
    public void Hash_OfOtherTypes_UsesStringConversion(string name, string arg, string expected) =>
        Assert.Equal(expected, Fn.Eval(name, arg));

    [Fact]
    public void Md5_OfLongString_UsesPooledBuffer()
    {
        var text = new string('x', 10_000);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal("String:" + expected, Fn.Show(Fn.Call("md5", SqlVersion.V2016_03_23, Fn.DefaultMessage, null, SqlValue.FromString(text))));
    }
}
