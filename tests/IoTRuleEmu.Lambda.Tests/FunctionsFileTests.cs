using System.Text;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Tests;

public class FunctionsFileTests
{
    [Fact]
    public void Parse_ContractExample()
    {
        Assert.True(FunctionsFileParser.TryParse(Encoding.UTF8.GetBytes(LambdaHarness.FailingFunctions), "functions.json", out var functions, out var errors));
        Assert.Empty(errors);
        Assert.Equal(
            [new FunctionDefinition { Name = "invoke_test", Behavior = FunctionBehavior.Fail, ErrorMessage = "intentional failure" },
             new FunctionDefinition { Name = "invoke_failed_test", Behavior = FunctionBehavior.Succeed }],
            functions);
    }

    [Fact]
    public void Parse_Errors_NameTheFileAndField()
    {
        var json = """{"functions":[{"name":"ok"},{"name":"bad name"},{"name":"x","behavior":"explode"},{"name":"ok"},{"name":"y","errorMessage":5}]}""";
        Assert.False(FunctionsFileParser.TryParse(Encoding.UTF8.GetBytes(json), "f.json", out _, out var errors));
        Assert.Equal(
            ["f.json [functions[1].name]", "f.json [functions[2].behavior]", "f.json [functions[3].name]", "f.json [functions[4].errorMessage]"],
            errors.Select(e => e[..e.IndexOf("]:", StringComparison.Ordinal)] + "]"));
    }

    [Fact]
    public void Parse_BadJson_NamesLineAndColumn()
    {
        Assert.False(FunctionsFileParser.TryParse(Encoding.UTF8.GetBytes("{\n \"functions\": [\n  {,}\n]}"), "f.json", out _, out var errors));
        Assert.StartsWith("f.json(3,4): invalid JSON", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_MissingFile_MeansNoFunctions_InvalidFileKeepsPrevious()
    {
        await using var h = await LambdaHarness.StartAsync(functionsJson: null);
        Assert.Empty(h.Functions().Functions);
        Assert.Single(h.Logs.WithEventId(EventIds.FunctionsFileMissing));

        var path = Path.Combine(h.DataDirectory, "functions.json");
        Directory.CreateDirectory(h.DataDirectory);
        await File.WriteAllTextAsync(path, """{"functions":[{"name":"f1","behavior":"fail"}]}""");
        Assert.Empty(h.Functions().LoadFile(path));
        Assert.True(h.Functions().TryGet("f1", out var f1));
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:f1", f1.Arn);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:f1:$LATEST", f1.LatestVersionArn);

        await File.WriteAllTextAsync(path, "{ broken");
        Assert.NotEmpty(h.Functions().LoadFile(path));
        Assert.True(h.Functions().TryGet("f1", out _));
    }

    [Fact]
    public void ParseRetryDelays_ReadsSecondsAndRejectsGarbage()
    {
        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120)], LambdaEmulatorOptions.ParseRetryDelays("60,120"));
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)], LambdaEmulatorOptions.ParseRetryDelays(" 0.5 , 2 "));
        var ex = Assert.Throws<FormatException>(() => LambdaEmulatorOptions.ParseRetryDelays("60,abc"));
        Assert.Contains("'abc'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => LambdaEmulatorOptions.ParseRetryDelays("-1"));
    }

    [Theory]
    [InlineData("f", "f", null, null, null)]
    [InlineData("f:1", "f", "1", null, null)]
    [InlineData("123456789012:function:f:al", "f", "al", null, "123456789012")]
    [InlineData("arn:aws:lambda:ap-northeast-1:123456789012:function:f", "f", null, "ap-northeast-1", "123456789012")]
    public void FunctionNames_ParseEveryForm(string input, string name, string? qualifier, string? region, string? account)
    {
        Assert.True(FunctionNames.TryParse(input, out var parsed));
        Assert.Equal(new ParsedFunctionName(name, qualifier, region, account), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("f:")]
    [InlineData("12345:function:f")]
    public void FunctionNames_RejectBadForms(string input) => Assert.False(FunctionNames.TryParse(input, out _));
}

public class FunctionSourcesTests
{
    [Fact]
    public async Task SetSource_MergesSources_FileWinsOnClash()
    {
        await using var h = await LambdaHarness.StartAsync("""{"functions":[{"name":"shared","behavior":"fail"},{"name":"file_only"}]}""");
        var registry = h.Functions();
        registry.SetSource("template", [new FunctionDefinition { Name = "shared" }, new FunctionDefinition { Name = "from_template" }]);

        Assert.Equal(["file_only", "from_template", "shared"], registry.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.True(registry.TryGet("shared", out var shared));
        Assert.Equal(FunctionBehavior.Fail, shared.Definition.Behavior);

        // Reloading the file keeps the template's functions.
        var path = Path.Combine(h.DataDirectory, "f2.json");
        Directory.CreateDirectory(h.DataDirectory);
        await File.WriteAllTextAsync(path, """{"functions":[{"name":"other"}]}""");
        Assert.Empty(registry.LoadFile(path));
        Assert.Equal(["from_template", "other", "shared"], registry.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.True(registry.TryGet("shared", out shared));
        Assert.Equal(FunctionBehavior.Succeed, shared.Definition.Behavior);
    }
}
