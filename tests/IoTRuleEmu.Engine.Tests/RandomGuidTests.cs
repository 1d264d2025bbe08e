using IoTRuleEmu.Engine;

namespace IoTRuleEmu.Engine.Tests;

public class RandomGuidTests
{
    [Fact]
    public void NewGuid_IsVersion4WithTheRfcVariant_AndUnique()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => RandomGuid.NewGuid()).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            var text = id.ToString();
            Assert.Equal('4', text[14]);
            Assert.Contains(text[19], "89ab");
        });
        Assert.DoesNotContain(Guid.Empty, ids);
    }

    [Fact]
    public void NewString_IsTheHyphenatedLowercaseForm()
    {
        var text = RandomGuid.NewString();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", text);
    }

    [Fact]
    public async Task Threads_DrawWithoutRepeats()
    {
        var perThread = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Enumerable.Range(0, 2_000).Select(_ => RandomGuid.NewGuid()).ToList())));
        var all = perThread.SelectMany(ids => ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
