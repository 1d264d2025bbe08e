using System.Collections.Concurrent;
using System.Text;
using IoTRuleEmu.Engine.Audit;

namespace IoTRuleEmu.Lambda.CloudTrail;

/// <summary>
/// Serialises <see cref="CloudTrailRecord"/>s exactly as <see cref="CloudTrailJson"/> does, faster: the records of one
/// function invoked by one rule differ only in <c>eventTime</c>, <c>requestID</c> and <c>eventID</c>, so each such
/// shape is encoded once and those three values are spliced into its bytes. Thread-safe.
/// </summary>
public sealed class CloudTrailRecordTemplates
{
    /// <summary>Shapes kept (rules × functions × event names); records of further shapes are encoded directly.</summary>
    public const int MaxShapes = 16_384;

    private static readonly byte[] s_eventTime = "\"eventTime\":\""u8.ToArray();
    private static readonly byte[] s_requestId = "\"requestID\":\""u8.ToArray();
    private static readonly byte[] s_eventId = "\"eventID\":\""u8.ToArray();

    private readonly ConcurrentDictionary<Shape, Template> _templates = new();

    /// <summary>Shapes encoded so far (tests).</summary>
    public int Count => _templates.Count;

    public byte[] Serialize(CloudTrailRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Ids JSON writes as they are (request ids and event ids are GUIDs); anything else takes the general path.
        if (!IsPlain(record.RequestId) || !IsPlain(record.EventId))
        {
            return CloudTrailJson.Serialize(record);
        }
        var shape = new Shape(record);
        if (!_templates.TryGetValue(shape, out var template))
        {
            var line = CloudTrailJson.Serialize(record);
            if (_templates.Count < MaxShapes && Template.TryCreate(line, record, out var created))
            {
                _templates.TryAdd(shape, created);
            }
            return line;
        }
        return template.Render(record);
    }

    private static bool IsPlain(string id)
    {
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The bytes of a record around its three variable values.</summary>
    private sealed class Template(byte[] beforeTime, byte[] beforeRequestId, byte[] beforeEventId, byte[] rest)
    {
        /// <summary>Cuts <paramref name="line"/>, the general path's bytes for <paramref name="record"/>, at the three values.</summary>
        public static bool TryCreate(byte[] line, CloudTrailRecord record, out Template template)
        {
            template = null!;
            // Each property name occurs once: inside JSON strings a quote is escaped, so no value can contain one.
            var span = line.AsSpan();
            var time = span.IndexOf(s_eventTime);
            var requestId = span.IndexOf(s_requestId);
            var eventId = span.IndexOf(s_eventId);
            if (time < 0 || requestId < time || eventId < requestId)
            {
                return false;
            }
            var timeStart = time + s_eventTime.Length;
            var timeEnd = timeStart + span[timeStart..].IndexOf((byte)'"');
            var requestIdStart = requestId + s_requestId.Length;
            var eventIdStart = eventId + s_eventId.Length;
            template = new Template(
                span[..timeStart].ToArray(),
                span[timeEnd..requestIdStart].ToArray(),
                span[(requestIdStart + record.RequestId.Length)..eventIdStart].ToArray(),
                span[(eventIdStart + record.EventId.Length)..].ToArray());
            return true;
        }

        public byte[] Render(CloudTrailRecord record)
        {
            Span<byte> time = stackalloc byte[JsonLine.MaxUtcTimeBytes];
            time = time[..JsonLine.FormatUtcTime(record.EventTime, time, milliseconds: false)];
            var line = new byte[beforeTime.Length + time.Length + beforeRequestId.Length + record.RequestId.Length
                + beforeEventId.Length + record.EventId.Length + rest.Length];
            var at = Append(line, 0, beforeTime);
            at = Append(line, at, time);
            at = Append(line, at, beforeRequestId);
            at += Encoding.ASCII.GetBytes(record.RequestId, line.AsSpan(at));
            at = Append(line, at, beforeEventId);
            at += Encoding.ASCII.GetBytes(record.EventId, line.AsSpan(at));
            Append(line, at, rest);
            return line;
        }

        private static int Append(byte[] line, int at, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(line.AsSpan(at));
            return at + bytes.Length;
        }
    }

    /// <summary>A record's identity without its time and ids: every other field CloudTrailJson writes.</summary>
    private readonly struct Shape(CloudTrailRecord record) : IEquatable<Shape>
    {
        private readonly CloudTrailRecord _record = record;

        public bool Equals(Shape other)
        {
            var a = _record;
            var b = other._record;
            return string.Equals(a.EventName, b.EventName, StringComparison.Ordinal)
                && string.Equals(a.FunctionVersion, b.FunctionVersion, StringComparison.Ordinal)
                && Equals(a.RequestParameters, b.RequestParameters)
                && string.Equals(a.SourceIpAddress, b.SourceIpAddress, StringComparison.Ordinal)
                && string.Equals(a.UserAgent, b.UserAgent, StringComparison.Ordinal)
                && a.UserIdentity == b.UserIdentity
                && string.Equals(a.AwsRegion, b.AwsRegion, StringComparison.Ordinal)
                && string.Equals(a.RecipientAccountId, b.RecipientAccountId, StringComparison.Ordinal)
                && SameResources(a.Resources, b.Resources)
                && string.Equals(a.EventVersion, b.EventVersion, StringComparison.Ordinal)
                && string.Equals(a.EventSource, b.EventSource, StringComparison.Ordinal)
                && string.Equals(a.EventType, b.EventType, StringComparison.Ordinal)
                && string.Equals(a.EventCategory, b.EventCategory, StringComparison.Ordinal)
                && a.ReadOnly == b.ReadOnly
                && a.ManagementEvent == b.ManagementEvent;
        }

        public override bool Equals(object? obj) => obj is Shape other && Equals(other);

        private static bool SameResources(IReadOnlyList<CloudTrailResource> a, IReadOnlyList<CloudTrailResource> b)
        {
            if (a.Count != b.Count)
            {
                return false;
            }
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }
            return true;
        }

        // The fields that tell one rule's and one function's records apart, by their last characters: ARNs share long
        // prefixes and differ in the name at the end, so the tails tell shapes apart for less than hashing them whole.
        // Equals compares everything.
        public override int GetHashCode() =>
            HashCode.Combine(_record.EventName.Length, Tail(_record.FunctionVersion), Tail(_record.RequestParameters?.SourceArn));

        private static int Tail(string? text) => text is null ? 0 : string.GetHashCode(text.AsSpan(Math.Max(0, text.Length - 16)));
    }
}
