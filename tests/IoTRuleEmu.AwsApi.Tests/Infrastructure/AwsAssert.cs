using System.Text.RegularExpressions;

namespace IoTRuleEmu.AwsApi.Tests.Infrastructure;

/// <summary>Assertions on the AWS CLI's error output: <c>An error occurred (Code) when calling the Op operation[ (reached max retries: N)]: message</c>.</summary>
public static class AwsAssert
{
    /// <summary>aws-cli v1 exits 255 on a service error.</summary>
    public const int ServiceErrorExitCode = 255;

    public static void CliError(ProcessResult result, string code, string operation, string? messageContains = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.ExitCode == ServiceErrorExitCode, result.ToString());
        var match = Regex.Match(result.Stderr, @"An error occurred \((?<code>[^)]+)\) when calling the (?<op>\w+) operation(?: \(reached max retries: \d+\))?: (?<message>.*)", RegexOptions.Singleline);
        Assert.True(match.Success, result.ToString());
        Assert.Equal(code, match.Groups["code"].Value);
        Assert.Equal(operation, match.Groups["op"].Value);
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, match.Groups["message"].Value, StringComparison.Ordinal);
        }
    }
}
