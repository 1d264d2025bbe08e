namespace IoTRuleEmu.Engine.Configuration;

/// <summary>Rule name rules: 1–128 characters of <c>[a-zA-Z0-9_]</c>.</summary>
public static class RuleNames
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The reason a name is invalid, or null when it is valid.</summary>
    public static string? Validate(string? name) =>
        IsValid(name)
            ? null
            : $"Invalid rule name '{name}': it must be 1-{MaxLength} characters matching ^[a-zA-Z0-9_]+$.";
}
