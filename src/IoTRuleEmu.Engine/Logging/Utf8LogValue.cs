using System.Text;

namespace IoTRuleEmu.Engine.Logging;

/// <summary>
/// A log value that is UTF-8 text already (a CloudTrail record as written to <c>cloudtrail.jsonl</c>). A logger that
/// writes UTF-8 (the console's text-line logger) copies the bytes; every other logger sees <see cref="ToString"/>, so it
/// logs exactly as the string would. Saves decoding ~1 KB per record only to encode it again.
/// </summary>
public sealed class Utf8LogValue(ReadOnlyMemory<byte> utf8)
{
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}
