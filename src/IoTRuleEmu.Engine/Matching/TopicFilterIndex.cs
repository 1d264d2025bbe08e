namespace IoTRuleEmu.Engine.Matching;

/// <summary>
/// An immutable trie over topic levels that finds every value whose MQTT topic filter matches a topic, visiting only the
/// branches the topic can reach: the literal child for each level, the <c>+</c> child, and the <c>#</c> values of each
/// node passed. Matching cost depends on the topic's depth and the number of wildcard branches, not on the number of filters.
/// </summary>
/// <remarks>
/// Semantics (MQTT 3.1.1 §4.7): <c>+</c> matches exactly one level (which may be empty), <c>#</c> matches the parent level
/// and any number of further levels. Filters are matched level by level with ordinal comparison.
/// The index is deliberately a superset for topics starting with <c>$</c> (it does not exclude them from leading wildcards);
/// callers that need the exact rule confirm each candidate with the filter's own matcher.
/// Build it once (<see cref="Builder"/>), then share it freely: reads are thread-safe.
/// </remarks>
public sealed class TopicFilterIndex<T>
{
    private readonly Node _root;

    private TopicFilterIndex(Node root, int count)
    {
        _root = root;
        Count = count;
    }

    /// <summary>An index with no filters.</summary>
    public static TopicFilterIndex<T> Empty { get; } = new(new Node(), 0);

    /// <summary>How many (filter, value) entries the index holds.</summary>
    public int Count { get; }

    /// <summary>Adds every value whose filter matches <paramref name="topic"/> to <paramref name="results"/>. Each entry is added at most once.</summary>
    public void Match(string topic, List<T> results)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(results);
        var visited = 0;
        Match(_root, topic.AsSpan(), results, ref visited);
    }

    /// <summary>How many trie nodes matching <paramref name="topic"/> visits (tests: the cost must not grow with unrelated filters).</summary>
    internal int CountVisitedNodes(string topic)
    {
        var visited = 0;
        Match(_root, topic.AsSpan(), [], ref visited);
        return visited;
    }

    /// <summary>Returns every value whose filter matches <paramref name="topic"/>.</summary>
    public List<T> Match(string topic)
    {
        var results = new List<T>();
        Match(topic, results);
        return results;
    }

    private static void Match(Node node, ReadOnlySpan<char> rest, List<T> results, ref int visited)
    {
        // Iterative over literal levels, recursive only where a '+' branch forks the walk.
        while (true)
        {
            visited++;
            // '#' at this node matches the remaining levels, including none (the parent level).
            if (node.HashValues is { } hash)
            {
                results.AddRange(hash);
            }

            var slash = rest.IndexOf('/');
            var level = slash < 0 ? rest : rest[..slash];
            var remaining = slash < 0 ? default : rest[(slash + 1)..];
            var last = slash < 0;

            if (node.Plus is { } plus)
            {
                if (last)
                {
                    visited++;
                    AddTerminal(plus, results);
                }
                else
                {
                    Match(plus, remaining, results, ref visited);
                }
            }

            if (node.Children is null || !node.Lookup.TryGetValue(level, out var child))
            {
                return;
            }
            if (last)
            {
                visited++;
                AddTerminal(child, results);
                return;
            }
            node = child;
            rest = remaining;
        }
    }

    private static void AddTerminal(Node node, List<T> results)
    {
        if (node.Values is { } values)
        {
            results.AddRange(values);
        }
        // "a/#" also matches "a".
        if (node.HashValues is { } hash)
        {
            results.AddRange(hash);
        }
    }

    /// <summary>Collects (filter, value) pairs and builds the index.</summary>
    public sealed class Builder
    {
        private readonly Node _root = new();
        private int _count;

        /// <summary>
        /// Adds <paramref name="value"/> under <paramref name="filter"/>. The filter must be valid
        /// (<c>#</c> only as the whole last level, <c>+</c> only as a whole level).
        /// </summary>
        public Builder Add(string filter, T value)
        {
            ArgumentException.ThrowIfNullOrEmpty(filter);
            var node = _root;
            var levels = filter.Split('/');
            for (var i = 0; i < levels.Length; i++)
            {
                var level = levels[i];
                if (level == "#")
                {
                    if (i != levels.Length - 1)
                    {
                        throw new ArgumentException($"Invalid topic filter '{filter}': '#' must be the last level.", nameof(filter));
                    }
                    (node.HashValues ??= []).Add(value);
                    _count++;
                    return this;
                }
                if (level == "+")
                {
                    node = node.Plus ??= new Node();
                    continue;
                }
                if (level.Contains('#', StringComparison.Ordinal) || level.Contains('+', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Invalid topic filter '{filter}': wildcards must occupy a whole level.", nameof(filter));
                }
                node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                if (!node.Children.TryGetValue(level, out var child))
                {
                    child = new Node();
                    node.Children.Add(level, child);
                }
                node = child;
            }
            (node.Values ??= []).Add(value);
            _count++;
            return this;
        }

        public TopicFilterIndex<T> Build()
        {
            Freeze(_root);
            return new TopicFilterIndex<T>(_root, _count);
        }

        private static void Freeze(Node node)
        {
            if (node.Children is not null)
            {
                node.Lookup = node.Children.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var child in node.Children.Values)
                {
                    Freeze(child);
                }
            }
            if (node.Plus is not null)
            {
                Freeze(node.Plus);
            }
        }
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public Node? Plus;
        public List<T>? Values;
        public List<T>? HashValues;
    }
}
