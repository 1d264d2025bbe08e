namespace IoTRuleEmu.Sql.Runtime;

/// <summary>An insertion-ordered JSON object: SELECT output keeps the order of the SELECT list.</summary>
public sealed class SqlObject
{
    // Objects built by SELECT are small; a list with a linear search beats a dictionary up to a few dozen keys.
    private readonly List<KeyValuePair<string, SqlValue>> _entries;

    public SqlObject(int capacity = 4) => _entries = new List<KeyValuePair<string, SqlValue>>(capacity);

    public int Count => _entries.Count;

    internal KeyValuePair<string, SqlValue> GetAt(int index) => _entries[index];

    public IEnumerable<KeyValuePair<string, SqlValue>> Entries => _entries;

    /// <summary>Sets a key; an existing key keeps its position, a new one goes last. Undefined removes nothing and adds nothing.</summary>
    public SqlValue this[string key]
    {
        get => TryGetValue(key, out var v) ? v : SqlValue.Undefined;
        set
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                _entries[i] = new KeyValuePair<string, SqlValue>(key, value);
            }
            else
            {
                _entries.Add(new KeyValuePair<string, SqlValue>(key, value));
            }
        }
    }

    public bool TryGetValue(string key, out SqlValue value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : SqlValue.Undefined;
        return i >= 0;
    }

    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i >= 0)
        {
            _entries.RemoveAt(i);
        }
        return i >= 0;
    }

    private int IndexOf(string key)
    {
        var entries = _entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>A heterogeneous JSON array.</summary>
public sealed class SqlArray : List<SqlValue>
{
    public SqlArray()
    {
    }

    public SqlArray(int capacity) : base(capacity)
    {
    }

    public SqlArray(IEnumerable<SqlValue> items) : base(items)
    {
    }
}
