namespace IoTRuleEmu.Engine;

/// <summary>The ARNs the emulator builds. Region and account come from <see cref="RuleEngineOptions"/>.</summary>
public static class AwsArns
{
    public const string DefaultRegion = "us-east-1";
    public const string DefaultAccountId = "123456789012";

    /// <summary><c>arn:aws:iot:&lt;region&gt;:&lt;account&gt;:rule/&lt;name&gt;</c></summary>
    public static string Rule(string region, string accountId, string ruleName) =>
        $"arn:aws:iot:{region}:{accountId}:rule/{ruleName}";

    /// <summary><c>arn:aws:lambda:&lt;region&gt;:&lt;account&gt;:function:&lt;name&gt;</c> (unqualified).</summary>
    public static string Function(string region, string accountId, string functionName) =>
        $"arn:aws:lambda:{region}:{accountId}:function:{functionName}";

    /// <summary>An AWS account id: exactly 12 ASCII digits.</summary>
    public static bool IsAccountId(string? text) => text is { Length: 12 } && text.All(char.IsAsciiDigit);
}
