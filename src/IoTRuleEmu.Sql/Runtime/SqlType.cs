namespace IoTRuleEmu.Sql.Runtime;

/// <summary>The data types of AWS IoT SQL (iot-sql-data-types), plus the raw bytes of a non-JSON payload.</summary>
public enum SqlType : byte
{
    /// <summary>No value: a missing attribute, a bad function argument. Omitted from output objects.</summary>
    Undefined = 0,
    /// <summary>JSON <c>null</c>.</summary>
    Null,
    Boolean,
    /// <summary>A discrete integer: 64-bit, promoted to arbitrary precision up to 34 digits.</summary>
    Int,
    /// <summary>An IEEE-754 double, as AWS's observed outputs show.</summary>
    Decimal,
    String,
    Array,
    Object,
    /// <summary>The bytes of a payload that is not JSON; only <c>*</c> reaches them.</summary>
    Binary,
}
