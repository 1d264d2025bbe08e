using System.Collections.Frozen;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>Every AWS IoT SQL function, looked up case-insensitively (<c>Round</c>, <c>IsUndefined</c>, …).</summary>
public static class SqlFunctionRegistry
{
    private static readonly FrozenDictionary<string, SqlFunctionDefinition> s_functions = Build();

    public static IEnumerable<SqlFunctionDefinition> All => s_functions.Values;

    public static SqlFunctionDefinition? Find(string name) => s_functions.GetValueOrDefault(name);

    private static FrozenDictionary<string, SqlFunctionDefinition> Build()
    {
        var table = new SqlFunctionTable();
        foreach (var register in SqlFunctionFamilies.All)
        {
            register(table);
        }
        return table.Functions.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>Collects function definitions; each family (math, string, …) adds its own.</summary>
public sealed class SqlFunctionTable
{
    internal Dictionary<string, SqlFunctionDefinition> Functions { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void Add(string name, int minArgs, int maxArgs, SqlVersion minVersion, SqlFunction body, SqlFunctionFlags flags = SqlFunctionFlags.None)
    {
        if (!Functions.TryAdd(name, new SqlFunctionDefinition(name, minArgs, maxArgs, minVersion, body, flags)))
        {
            throw new InvalidOperationException($"SQL function '{name}' is defined twice.");
        }
    }
}
