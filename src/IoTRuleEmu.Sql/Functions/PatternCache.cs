using System.Collections.Concurrent;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// Compiled forms of the patterns SQL functions receive (regular expressions, time formats), keyed by the pattern
/// text. Patterns are nearly always constants of a rule, so a small cache avoids recompiling them per message; it is
/// cleared when full, so patterns built from message data cannot grow it without bound. A pattern that does not
/// compile is cached as null.
/// </summary>
internal sealed class PatternCache<T>(int capacity, Func<string, T?> compile) where T : class
{
    private readonly ConcurrentDictionary<string, T?> _entries = new(StringComparer.Ordinal);

    public T? Get(string pattern)
    {
        if (_entries.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        var compiled = compile(pattern);
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
        _entries.TryAdd(pattern, compiled);
        return compiled;
    }
}
