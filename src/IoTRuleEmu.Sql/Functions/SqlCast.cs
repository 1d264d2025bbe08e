using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary><c>cast(value AS type)</c>.</summary>
/// <remarks>
/// Targets (case-insensitive): <c>String</c>, <c>Nvarchar</c>, <c>Text</c>, <c>Ntext</c>, <c>varchar</c> → String;
/// <c>Int</c>, <c>Integer</c> → Int; <c>Double</c> → Decimal; from 2016-03-23 also <c>Decimal</c> → Decimal and
/// <c>Bool</c>, <c>Boolean</c> → Boolean. A whole-number Decimal result stays a Decimal here: the 2016 rule that prints
/// it as an Int belongs to the JSON writer.
/// </remarks>
public static class SqlCast
{
    /// <summary>Casts <paramref name="value"/> to the type named <paramref name="typeName"/> (any case); Undefined for an unknown type.</summary>
    public static SqlValue Cast(SqlValue value, string typeName, SqlVersion version)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        switch (typeName.ToUpperInvariant())
        {
            case "STRING" or "NVARCHAR" or "TEXT" or "NTEXT" or "VARCHAR":
                return SqlConversions.ToStringValue(value, version);
            case "INT" or "INTEGER":
                return ToInt(value);
            case "DOUBLE":
                return ToDecimal(value);
            case "DECIMAL":
                return version.Is2016() ? ToDecimal(value) : SqlValue.Undefined;
            case "BOOL" or "BOOLEAN":
                return version.Is2016() ? ToBoolean(value) : SqlValue.Undefined;
            default:
                return SqlValue.Undefined;
        }
    }

    /// <summary>True for the names <c>cast</c> accepts under <paramref name="version"/> (for the parser).</summary>
    public static bool IsKnownType(string typeName, SqlVersion version)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return typeName.ToUpperInvariant() switch
        {
            "STRING" or "NVARCHAR" or "TEXT" or "NTEXT" or "VARCHAR" or "INT" or "INTEGER" or "DOUBLE" => true,
            "DECIMAL" or "BOOL" or "BOOLEAN" => version.Is2016(),
            _ => false,
        };
    }

    /// <summary>Cast to Decimal: Int → same value, Decimal → itself, Boolean → 1.0/0.0, numeric String → parsed; else Undefined.</summary>
    private static SqlValue ToDecimal(SqlValue value) => value.Type switch
    {
        SqlType.Decimal => value,
        SqlType.Int => SqlValue.FromDecimal(value.AsDouble),
        SqlType.Boolean => SqlValue.FromDecimal(value.AsBool ? 1.0 : 0.0),
        SqlType.String => SqlConversions.TryParseNumericString(value.AsString, out var d) ? SqlValue.FromDecimal(d) : SqlValue.Undefined,
        _ => SqlValue.Undefined,
    };

    /// <summary>Cast to Int: Decimal → rounded down, Boolean → 1/0, numeric String → Decimal → rounded down; else Undefined.</summary>
    private static SqlValue ToInt(SqlValue value) => value.Type switch
    {
        SqlType.Int => value,
        SqlType.Decimal => SqlConversions.FromWholeDouble(Math.Floor(value.AsDouble)),
        SqlType.Boolean => SqlValue.FromInt(value.AsBool ? 1 : 0),
        SqlType.String => SqlConversions.TryParseNumericString(value.AsString, out var d) ? SqlConversions.FromWholeDouble(Math.Floor(d)) : SqlValue.Undefined,
        _ => SqlValue.Undefined,
    };

    /// <summary>Cast to Boolean: number 0 → false, other numbers → true, Boolean → itself, "true"/"false" (any case); else Undefined.</summary>
    private static SqlValue ToBoolean(SqlValue value) => value.Type switch
    {
        SqlType.Boolean => value,
        SqlType.Int => SqlValue.FromBool(value.IsBigInt || value.AsLong != 0),
        SqlType.Decimal => SqlValue.FromBool(value.AsDouble != 0),
        SqlType.String => SqlConversions.ToBoolean(value),
        _ => SqlValue.Undefined,
    };
}
