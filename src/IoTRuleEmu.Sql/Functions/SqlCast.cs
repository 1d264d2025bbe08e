using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary><c>cast(value AS type)</c>.</summary>
public static class SqlCast
{
    /// <summary>Casts <paramref name="value"/> to the type named <paramref name="typeName"/> (any case); Undefined for an unknown type.</summary>
    public static SqlValue Cast(SqlValue value, string typeName, SqlVersion version) => throw new NotImplementedException();
}
