using System.Text;
using System.Text.Json;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Conformance;

/// <summary>
/// The documented AWS examples (copied from the shared conformance set into this folder, so the suite needs nothing
/// outside the repository): each statement must produce exactly the expected payload text, or not fire.
/// </summary>
public class ConformanceVectorTests
{
    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceVectors.Load())
        {
            data.Add(c.Id);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Vector_ProducesExpectedOutput(string id)
    {
        var c = ConformanceVectors.Load().Single(v => v.Id == id);
        var statement = SqlStatement.Compile(c.Sql, SqlVersions.Parse(c.SqlVersion));
        var result = statement.Evaluate(new SqlMessage
        {
            Topic = c.Topic,
            Payload = c.Payload,
            ClientId = c.ClientId,
            TimestampMs = 1_700_000_000_000,
        });

        if (c.Expected is null)
        {
            Assert.Equal(SqlOutcome.NotMatched, result.Outcome);
        }
        else
        {
            Assert.True(result.IsMatch, $"{id}: expected a match, got {result.Outcome} {result.Error}");
            Assert.Equal(c.Expected, Encoding.UTF8.GetString(result.Payload!));
        }
    }
}

/// <summary>One line of Conformance/sql-vectors.jsonl.</summary>
public sealed record ConformanceVector(string Id, string Sql, string Topic, byte[] Payload, string? SqlVersion, string? ClientId, string? Expected)
{
}

public static class ConformanceVectors
{
    private static readonly Lazy<IReadOnlyList<ConformanceVector>> s_vectors = new(LoadCore);

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Conformance", "sql-vectors.jsonl");

    public static IReadOnlyList<ConformanceVector> Load() => s_vectors.Value;

    private static IReadOnlyList<ConformanceVector> LoadCore()
    {
        var result = new List<ConformanceVector>();
        foreach (var line in File.ReadLines(FilePath))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var payload = Text("payloadBase64") is { } b64 ? Convert.FromBase64String(b64) : Encoding.UTF8.GetBytes(Text("payload") ?? string.Empty);
            result.Add(new ConformanceVector(Text("id")!, Text("sql")!, Text("topic")!, payload, Text("sqlVersion"), Text("clientId"), Text("expected")));
        }
        return result;
    }
}
