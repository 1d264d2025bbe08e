using IoTRuleEmu.Engine.Matching;

namespace IoTRuleEmu.Engine.Tests.Matching;

public class TopicFilterIndexTests
{
    private static TopicFilterIndex<string> Build(params string[] filters)
    {
        var builder = new TopicFilterIndex<string>.Builder();
        foreach (var filter in filters)
        {
            builder.Add(filter, filter);
        }
        return builder.Build();
    }

    [Theory]
    [InlineData("a/b/c", new[] { "a/b/c", "a/+/c", "+/b/c", "a/#", "#", "a/b/#", "+/+/+" })]
    [InlineData("a/b", new[] { "a/b", "a/#", "#", "a/b/#", "+/b" })]
    [InlineData("a", new[] { "a", "#", "a/#", "+" })]
    [InlineData("x/y", new[] { "#" })]
    [InlineData("a//c", new[] { "a/+/c", "a/#", "#", "+/+/+" })]
    public void Match_ReturnsExactlyTheMatchingFilters(string topic, string[] expected)
    {
        var index = Build("a/b/c", "a/+/c", "+/b/c", "a/#", "#", "a/b/#", "+/+/+", "a/b", "+/b", "a", "+", "a/b/c/d", "b/#", "a/c");
        Assert.Equal(expected.Order(StringComparer.Ordinal), index.Match(topic).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Match_SameFilterTwice_ReturnsBothValues()
    {
        var index = new TopicFilterIndex<int>.Builder().Add("s/+", 1).Add("s/+", 2).Build();
        Assert.Equal([1, 2], index.Match("s/x").Order());
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Match_WithManyUnrelatedFilters_FindsTheRightRulesAndVisitsNoMoreNodes()
    {
        var small = Build("sensors/+/temp", "sensors/#");
        var builder = new TopicFilterIndex<string>.Builder().Add("sensors/+/temp", "sensors/+/temp").Add("sensors/#", "sensors/#");
        for (var i = 0; i < 20_000; i++)
        {
            builder.Add($"devices/d{i}/telemetry", $"rule{i}");
            builder.Add($"fleet{i}/+/status", $"fleet{i}");
        }
        var large = builder.Build();

        Assert.Equal(40_002, large.Count);
        Assert.Equal(["sensors/#", "sensors/+/temp"], large.Match("sensors/s1/temp").Order(StringComparer.Ordinal));
        Assert.Equal(["rule12345"], large.Match("devices/d12345/telemetry"));
        Assert.Equal(["fleet777"], large.Match("fleet777/x/status"));
        Assert.Empty(large.Match("devices/d12345/other"));
        // The walk touches only the topic's own branches: unrelated filters add no work.
        Assert.Equal(small.CountVisitedNodes("sensors/s1/temp"), large.CountVisitedNodes("sensors/s1/temp"));
        Assert.True(large.CountVisitedNodes("devices/d12345/telemetry") <= 4);
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a/b#")]
    [InlineData("a+/b")]
    public void Add_InvalidFilter_Throws(string filter) =>
        Assert.Throws<ArgumentException>(() => new TopicFilterIndex<string>.Builder().Add(filter, filter));
}
