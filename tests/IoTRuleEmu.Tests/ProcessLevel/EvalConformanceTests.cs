using System.Text.Json;
using IoTRuleEmu.Tests.Infrastructure;

namespace IoTRuleEmu.Tests.ProcessLevel;

/// <summary>
/// Every documented AWS example of the SQL conformance set, run through the built executable's
/// <c>eval --cases</c> (the same file the SQL library's tests run through the API).
/// </summary>
public sealed class EvalConformanceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("iotruleemu-conformance-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task EvalCases_ProducesTheExpectedOutputForEveryVector()
    {
        var vectorsPath = Path.Combine(AppContext.BaseDirectory, "Conformance", "sql-vectors.jsonl");
        var vectors = File.ReadLines(vectorsPath).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(vectors.Count >= 60, $"expected the whole conformance set, found {vectors.Count} cases");

        var (exit, stdout, stderr, _) = await EmulatorProcess.RunToEndAsync(_root, "eval", "--cases", vectorsPath);

        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        var lines = System.Text.Encoding.UTF8.GetString(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(vectors.Count, lines.Length);
        for (var i = 0; i < vectors.Count; i++)
        {
            var id = vectors[i].GetProperty("id").GetString();
            using var line = JsonDocument.Parse(lines[i]);
            var result = line.RootElement;
            Assert.Equal(id, result.GetProperty("id").GetString());
            Assert.False(result.TryGetProperty("error", out var error), $"{id}: {error}");
            var expected = vectors[i].GetProperty("expected");
            if (expected.ValueKind == JsonValueKind.Null)
            {
                Assert.False(result.GetProperty("matched").GetBoolean(), $"{id} should not fire");
            }
            else
            {
                Assert.True(result.GetProperty("matched").GetBoolean(), $"{id} should fire");
                Assert.Equal(expected.GetString(), result.GetProperty("payload").GetString());
            }
        }
    }
}
