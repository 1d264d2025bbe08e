using IoTRuleEmu.Engine;

namespace IoTRuleEmu.Lambda.Functions;

/// <summary>
/// Function names and the forms Invoke accepts for <c>FunctionName</c>: <c>name</c>, <c>name:qualifier</c>,
/// <c>account:function:name[:qualifier]</c> and <c>arn:aws:lambda:region:account:function:name[:qualifier]</c>.
/// </summary>
public static class FunctionNames
{
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Splits <paramref name="functionName"/> into its parts; false when it has none of the accepted shapes.</summary>
    public static bool TryParse(string? functionName, out ParsedFunctionName parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(functionName) || functionName.Length > 256)
        {
            return false;
        }
        var parts = functionName.Split(':');
        string? region = null, account = null, name, qualifier = null;
        if (parts[0] == "arn")
        {
            // arn:aws:lambda:region:account:function:name[:qualifier]
            if (parts.Length is < 7 or > 8 || parts[1] is not ("aws" or "aws-cn" or "aws-us-gov") || parts[2] != "lambda" || parts[5] != "function")
            {
                return false;
            }
            region = parts[3];
            account = parts[4];
            name = parts[6];
            qualifier = parts.Length == 8 ? parts[7] : null;
        }
        else if (parts.Length >= 3 && parts[1] == "function")
        {
            // account:function:name[:qualifier]
            if (parts.Length > 4)
            {
                return false;
            }
            account = parts[0];
            name = parts[2];
            qualifier = parts.Length == 4 ? parts[3] : null;
        }
        else
        {
            if (parts.Length > 2)
            {
                return false;
            }
            name = parts[0];
            qualifier = parts.Length == 2 ? parts[1] : null;
        }
        if (!IsValidName(name) || qualifier is { Length: 0 } || (account is not null && !AwsArns.IsAccountId(account)))
        {
            return false;
        }
        parsed = new ParsedFunctionName(name, qualifier, region, account);
        return true;
    }
}

/// <summary>The parts of an Invoke <c>FunctionName</c>; region and account are null when the caller did not give them.</summary>
public readonly record struct ParsedFunctionName(string Name, string? Qualifier, string? Region, string? AccountId);
