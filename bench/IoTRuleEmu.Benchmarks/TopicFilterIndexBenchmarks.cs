using BenchmarkDotNet.Attributes;
using IoTRuleEmu.Engine.Matching;

namespace IoTRuleEmu.Benchmarks;

/// <summary>
/// The dispatch worker's first step: finding the rules whose FROM filter matches a message's topic. The index holds
/// <see cref="Rules"/> filters shaped like bench/run.sh's rules (<c>bench/i/+</c>) plus a few wildcard-heavy ones
/// (<c>+/i/#</c>-style fan-out is the worst case for a trie); the topic matches exactly one <c>bench/i/+</c> filter.
/// Cost should not grow with the number of rules.
/// </summary>
[MemoryDiagnoser]
public class TopicFilterIndexBenchmarks
{
    private readonly List<int> _results = new(16);
    private TopicFilterIndex<int> _index = null!;
    private string _topic = null!;

    [Params(100, 10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = new TopicFilterIndex<int>.Builder();
        for (var i = 0; i < Rules; i++)
        {
            builder.Add($"bench/{i}/+", i);
        }
        // A handful of unrelated wildcard rules, as a real rule set has.
        builder.Add("sensors/+/telemetry", -1).Add("$aws/things/+/shadow/update/#", -2).Add("alerts/#", -3).Add("+/status", -4);
        _index = builder.Build();
        _topic = $"bench/{Rules / 2}/d1";
        _index.Match(_topic, _results);
        if (_results is not [var only] || only != Rules / 2)
        {
            throw new InvalidOperationException("the topic should match exactly one rule");
        }
    }

    /// <summary>One lookup into a reused result list (what the worker does).</summary>
    [Benchmark]
    public int Match()
    {
        _results.Clear();
        _index.Match(_topic, _results);
        return _results.Count;
    }

    /// <summary>A topic no rule matches (most traffic on a broker with few rules).</summary>
    [Benchmark]
    public int NoMatch()
    {
        _results.Clear();
        _index.Match("devices/0042/heartbeat", _results);
        return _results.Count;
    }
}
