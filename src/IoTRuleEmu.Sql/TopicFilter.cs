namespace IoTRuleEmu.Sql;

/// <summary>
/// MQTT topic filters as AWS IoT uses them in FROM: '+' is exactly one whole level, '#' is the last level and
/// matches one or more levels below its parent (AWS: <c>sensor/#</c> matches <c>sensor/</c> and
/// <c>sensor/a/b</c> but not <c>sensor</c>). Topics are case-sensitive. As in MQTT, a filter that starts with a
/// wildcard does not match topics starting with '$'.
/// </summary>
public static class TopicFilter
{
    public static bool IsValid(string filter) => Validate(filter) is null;

    /// <summary>Null when <paramref name="filter"/> is a valid topic filter, else the reason it is not.</summary>
    public static string? Validate(string filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return "the topic filter is empty";
        }
        var levelStart = 0;
        for (var i = 0; i <= filter.Length; i++)
        {
            if (i < filter.Length && filter[i] != '/')
            {
                continue;
            }
            var level = filter.AsSpan(levelStart, i - levelStart);
            if (level.Contains('#'))
            {
                if (level.Length != 1)
                {
                    return "'#' must occupy a whole level";
                }
                if (i != filter.Length)
                {
                    return "'#' must be the last level";
                }
            }
            if (level.Contains('+') && level.Length != 1)
            {
                return "'+' must occupy a whole level";
            }
            levelStart = i + 1;
        }
        return null;
    }

    /// <summary>True when <paramref name="topic"/> matches <paramref name="filter"/> (both assumed valid).</summary>
    public static bool Matches(string filter, string topic)
    {
        if (topic.Length > 0 && topic[0] == '$' && filter.Length > 0 && (filter[0] == '+' || filter[0] == '#'))
        {
            return false;
        }
        var f = 0;
        var t = 0;
        while (true)
        {
            var fEnd = filter.IndexOf('/', f);
            if (fEnd < 0)
            {
                fEnd = filter.Length;
            }
            var level = filter.AsSpan(f, fEnd - f);
            if (level.Length == 1 && level[0] == '#')
            {
                // '#' needs its parent level to be present: 'a/#' matches 'a/' and 'a/x' but not 'a'.
                return t <= topic.Length && (f == 0 || t > 0);
            }
            if (t > topic.Length)
            {
                return false;
            }
            var tEnd = topic.IndexOf('/', t);
            if (tEnd < 0)
            {
                tEnd = topic.Length;
            }
            if (!(level.Length == 1 && level[0] == '+') && !level.SequenceEqual(topic.AsSpan(t, tEnd - t)))
            {
                return false;
            }
            var filterDone = fEnd == filter.Length;
            var topicDone = tEnd == topic.Length;
            if (filterDone || topicDone)
            {
                if (filterDone && topicDone)
                {
                    return true;
                }
                // The filter may continue with a trailing '/#' that the topic's end satisfies only if a separator exists.
                return false;
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }
}
