namespace IoTRuleEmu.Sql.Functions;

/// <summary>The families of functions that make up <see cref="SqlFunctionRegistry"/>; each registers its own.</summary>
internal static class SqlFunctionFamilies
{
    public static readonly Action<SqlFunctionTable>[] All =
    [
        MathFunctions.Register,
        StringFunctions.Register,
        HashFunctions.Register,
        RegexFunctions.Register,
        CollectionFunctions.Register,
        EncodingFunctions.Register,
        TimeFunctions.Register,
        ContextFunctions.Register,
        ExternalFunctions.Register,
    ];
}
