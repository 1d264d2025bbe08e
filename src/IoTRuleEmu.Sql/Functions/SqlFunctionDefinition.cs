using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>A function body: receives its evaluated arguments; returns Undefined for bad arguments, never throws.</summary>
public delegate SqlValue SqlFunction(ReadOnlySpan<SqlValue> args, EvalContext context);

[Flags]
public enum SqlFunctionFlags
{
    None = 0,
    /// <summary>A bare <c>*</c> argument passes the raw payload bytes (Binary) even when the payload is JSON (<c>encode</c>).</summary>
    StarIsRawPayload = 1,
    /// <summary>Needs the cloud: counted and routed through <see cref="ISqlExternalFunctions"/>.</summary>
    External = 2,
    /// <summary>Result differs between calls with the same arguments (<c>rand</c>, <c>newuuid</c>): never constant-folded.</summary>
    Volatile = 4,
}

/// <summary>One SQL function: its name, arity, the first SQL version that has it, and its body.</summary>
/// <param name="Name">Lower-case name; lookups ignore case.</param>
/// <param name="MinArgs">Fewest arguments; a call with fewer evaluates to Undefined.</param>
/// <param name="MaxArgs">Most arguments; a call with more evaluates to Undefined.</param>
/// <param name="MinVersion">Under an older SQL version the function does not exist (SqlParseException).</param>
public sealed record SqlFunctionDefinition(
    string Name,
    int MinArgs,
    int MaxArgs,
    SqlVersion MinVersion,
    SqlFunction Invoke,
    SqlFunctionFlags Flags = SqlFunctionFlags.None)
{
    public bool IsAvailableIn(SqlVersion version) => MinVersion == SqlVersion.V2015_10_08 || version.Is2016();
}
