using System.Collections;
using IoTRuleEmu.Options;

namespace IoTRuleEmu.Tests.Options;

/// <summary>Serve options: command line beats environment beats appsettings.json; bad values are all reported.</summary>
public sealed class EmulatorConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotruleemu-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OptionsResult Load(string[] args, Dictionary<string, string>? env = null, string? settings = null)
    {
        if (settings is not null)
        {
            File.WriteAllText(Path.Combine(_dir, "appsettings.json"), settings);
        }
        return EmulatorConfiguration.Load(args, new Hashtable(env ?? []), _dir);
    }

    [Fact]
    public void Defaults_MatchContract()
    {
        var o = Load([]).Options!;
        Assert.Equal(1883, o.MqttPort);
        Assert.Equal(8080, o.HttpPort);
        Assert.Equal("./rules", o.RulesDirectory);
        Assert.Equal("./functions.json", o.FunctionsFile);
        Assert.Equal("./data", o.DataDirectory);
        Assert.Equal("us-east-1", o.Region);
        Assert.Equal("123456789012", o.AccountId);
        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120)], o.LambdaRetryDelays);
        Assert.Equal(LogFormat.Text, o.LogFormat);
        Assert.False(o.WarmUp);
    }

    [Fact]
    public void CommandLine_Beats_Environment_Beats_File()
    {
        var settings = """{ "mqtt-port": 1000, "http-port": 1001, "region": "eu-west-1", "rules": "/file/rules" }""";
        var env = new Dictionary<string, string> { ["IOTRULEEMU_MQTT_PORT"] = "2000", ["IOTRULEEMU_REGION"] = "ap-northeast-1" };
        var o = Load(["--mqtt-port", "3000"], env, settings).Options!;
        Assert.Equal(3000, o.MqttPort);          // command line
        Assert.Equal("ap-northeast-1", o.Region); // environment
        Assert.Equal(1001, o.HttpPort);           // file
        Assert.Equal("/file/rules", o.RulesDirectory);
    }

    [Fact]
    public void EveryOption_HasAnEnvironmentVariable()
    {
        var env = new Dictionary<string, string>
        {
            ["IOTRULEEMU_HTTP_PORT"] = "9090",
            ["IOTRULEEMU_RULES"] = "/r",
            ["IOTRULEEMU_FUNCTIONS"] = "/f.json",
            ["IOTRULEEMU_DATA"] = "/d",
            ["IOTRULEEMU_ACCOUNT_ID"] = "000000000000",
            ["IOTRULEEMU_LAMBDA_RETRY_DELAYS"] = "1,2.5",
            ["IOTRULEEMU_LOG_FORMAT"] = "json",
            ["IOTRULEEMU_WARM_UP"] = "true",
        };
        var o = Load([], env).Options!;
        Assert.Equal(9090, o.HttpPort);
        Assert.Equal("/r", o.RulesDirectory);
        Assert.Equal("/f.json", o.FunctionsFile);
        Assert.Equal("/d", o.DataDirectory);
        Assert.Equal("000000000000", o.AccountId);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5)], o.LambdaRetryDelays);
        Assert.Equal(LogFormat.Json, o.LogFormat);
        Assert.True(o.WarmUp);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("true", true)]
    public void WarmUp_TakesTrueOrFalse(string value, bool expected) =>
        Assert.Equal(expected, Load(["--warm-up", value]).Options!.WarmUp);

    [Fact]
    public void WarmUp_OtherValues_AreAnError()
    {
        var result = Load(["--warm-up", "no"]);
        Assert.Null(result.Options);
        Assert.Contains("Option 'warm-up' (from --warm-up) must be 'true' or 'false'; got 'no'.", result.Errors);
    }

    [Fact]
    public void EqualsSyntax_AndServeVerb_AreAccepted()
    {
        var o = Load(["serve", "--mqtt-port=1884", "--lambda-retry-delays", "1,2"]).Options!;
        Assert.Equal(1884, o.MqttPort);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], o.LambdaRetryDelays);
    }

    [Fact]
    public void BadValues_AreAllReported_WithTheirSource()
    {
        var result = Load(
            ["--mqtt-port", "70000", "--account-id", "12", "--lambda-retry-delays", "1", "--bogus", "x"],
            new Dictionary<string, string> { ["IOTRULEEMU_REGION"] = "Mars" });
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains("'mqtt-port' (from --mqtt-port)", StringComparison.Ordinal) && e.Contains("70000", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("account-id", StringComparison.Ordinal) && e.Contains("12 digits", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("lambda-retry-delays", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("IOTRULEEMU_REGION", StringComparison.Ordinal) && e.Contains("Mars", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Unknown option '--bogus'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("ap-southeast-12", true)]
    [InlineData("cn-north-1", true)]
    [InlineData("us-east", false)]
    [InlineData("US-east-1", false)]
    [InlineData("us-east-123", false)]
    [InlineData("u-east-1", false)]
    [InlineData("us--1", false)]
    [InlineData("us-east-1a", false)]
    [InlineData("us-east-", false)]
    [InlineData("us-1", false)]
    public void Region_MustLookLikeAnAwsRegion(string region, bool valid)
    {
        var result = Load(["--region", region]);
        Assert.Equal(valid, result.Options is not null);
        Assert.Equal(valid, !result.Errors.Any(e => e.Contains("region", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("123456789012", true)]
    [InlineData("000000000000", true)]
    [InlineData("12345678901a", false)]
    [InlineData("1234567890123", false)]
    [InlineData("12345678901", false)]
    public void AccountId_IsTwelveDigits(string accountId, bool valid) =>
        Assert.Equal(valid, Load(["--account-id", accountId]).Options is not null);

    [Fact]
    public void SamePortTwice_IsAnError()
    {
        var result = Load(["--mqtt-port", "5000", "--http-port", "5000"]);
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains("must differ", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingValue_IsAnError()
    {
        var result = Load(["--rules"]);
        Assert.Contains(result.Errors, e => e.Contains("'--rules' needs a value", StringComparison.Ordinal));
    }

    [Fact]
    public void BrokenSettingsFile_IsReported()
    {
        var result = Load([], settings: "{ \"mqtt-port\": ");
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains("appsettings.json", StringComparison.Ordinal));
    }
}
