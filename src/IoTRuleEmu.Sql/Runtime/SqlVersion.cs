namespace IoTRuleEmu.Sql.Runtime;

/// <summary>The values of a rule's <c>awsIotSqlVersion</c>.</summary>
public enum SqlVersion : byte
{
    /// <summary>The default when <c>awsIotSqlVersion</c> is absent.</summary>
    V2015_10_08 = 0,
    /// <summary>Adds nested queries, literals, top-level arrays, whole decimals as Int, and newer functions.</summary>
    V2016_03_23 = 1,
    /// <summary><c>beta</c>: treated as 2016-03-23.</summary>
    Beta = 2,
}

/// <summary>Parsing and printing of <see cref="SqlVersion"/> as AWS spells it.</summary>
public static class SqlVersions
{
    public const string Default = "2015-10-08";

    public static bool TryParse(string? text, out SqlVersion version)
    {
        switch (text)
        {
            case null or "" or "2015-10-08": version = SqlVersion.V2015_10_08; return true;
            case "2016-03-23": version = SqlVersion.V2016_03_23; return true;
            case "beta": version = SqlVersion.Beta; return true;
            default: version = default; return false;
        }
    }

    public static SqlVersion Parse(string? text) =>
        TryParse(text, out var v) ? v : throw new ArgumentException($"Unknown awsIotSqlVersion '{text}'. Valid values: 2015-10-08, 2016-03-23, beta.", nameof(text));

    public static string ToText(this SqlVersion version) => version switch
    {
        SqlVersion.V2015_10_08 => "2015-10-08",
        SqlVersion.V2016_03_23 => "2016-03-23",
        _ => "beta",
    };

    /// <summary>True for 2016-03-23 and beta: the versions with the newer syntax and functions.</summary>
    public static bool Is2016(this SqlVersion version) => version != SqlVersion.V2015_10_08;
}
