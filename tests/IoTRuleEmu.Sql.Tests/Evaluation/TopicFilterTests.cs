namespace IoTRuleEmu.Sql.Tests.Evaluation;

public class TopicFilterTests
{
    [Theory]
    [InlineData("topic/#", "topic/subtopic", true)]
    [InlineData("topic/#", "topic/subtopic-3/details", true)]
    [InlineData("topic/#", "topic-2/subtopic-x", false)]
    [InlineData("sensor/#", "sensor/", true)]
    [InlineData("sensor/#", "sensor", false)]
    [InlineData("topic/+", "topic/subtopic-2", true)]
    [InlineData("topic/+", "topic/subtopic-3/details", false)]
    [InlineData("a/+/c/+", "a/b/c/d", true)]
    [InlineData("a/+", "a/", true)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "A/b", false)]
    [InlineData("#", "anything/at/all", true)]
    [InlineData("#", "$aws/things/x", false)]
    [InlineData("+/x", "$aws/x", false)]
    [InlineData("$aws/things/+/shadow/update/accepted", "$aws/things/t1/shadow/update/accepted", true)]
    public void Matches(string filter, string topic, bool expected) => Assert.Equal(expected, TopicFilter.Matches(filter, topic));

    [Theory]
    [InlineData("a/#", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("a/#/b", false)]
    [InlineData("a/b#", false)]
    [InlineData("a/+b", false)]
    [InlineData("", false)]
    public void Validates(string filter, bool valid) => Assert.Equal(valid, TopicFilter.IsValid(filter));
}
