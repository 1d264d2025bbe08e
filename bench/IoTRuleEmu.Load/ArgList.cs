using System.Globalization;

namespace IoTRuleEmu.Load;

/// <summary><c>--name value</c> pairs; every name may appear once.</summary>
internal sealed class ArgList
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static ArgList Parse(ReadOnlySpan<string> args)
    {
        var list = new ArgList();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
            {
                throw new ArgumentException($"expected --option, got '{name}'");
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }
            if (!list._values.TryAdd(name[2..], args[++i]))
            {
                throw new ArgumentException($"{name} given twice");
            }
        }
        return list;
    }

    public string String(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public string? OptionalString(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Required(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public long Long(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} must be an integer in [{min}, {max}], got '{text}'");
        }
        return value;
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) => (int)Long(name, fallback, min, max);

    public double Double(string name, double fallback, double min = 0, double max = double.MaxValue)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} must be a number in [{min}, {max}], got '{text}'");
        }
        return value;
    }
}
