using IoTRuleEmu.Sql.Functions;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>The regex functions: spec examples, Java-dialect translation, Java replacement syntax, invalid patterns.</summary>
public class RegexFunctionsTests
{
    [Theory]
    [InlineData("regexp_matches", "Boolean:true", "\"aaaa\"", "\"a{2,}\"")]
    [InlineData("regexp_matches", "Boolean:false", "\"aaaa\"", "\"b\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"xxabcxx\"", "\"abc\"")]
    [InlineData("regexp_matches", "Boolean:false", "\"xxabcxx\"", "\"^abc$\"")]
    [InlineData("regexp_matches", "Boolean:true", "12345", "\"^\\\\d+$\"")]
    [InlineData("regexp_matches", "Boolean:false", "\"١٢٣\"", "\"^\\\\d+$\"")]
    [InlineData("regexp_matches", "Boolean:true", "true", "\"^t\"")]
    [InlineData("regexp_matches", "Undefined", "null", "\"a\"")]
    [InlineData("regexp_matches", "Undefined", "undefined", "\"a\"")]
    [InlineData("regexp_matches", "Undefined", "\"a\"", "null")]
    [InlineData("regexp_matches", "Undefined", "\"a\"", "\"(\"")]
    [InlineData("regexp_matches", "Undefined", "\"a\"", "\"{abc}\"")]
    [InlineData("regexp_matches", "Undefined", "\"a\"", "\"*a\"")]
    [InlineData("regexp_matches", "Undefined", "\"a\"", "\"[a-z&&[def]]\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"a.b\"", "\"\\\\Qa.b\\\\E\"")]
    [InlineData("regexp_matches", "Boolean:false", "\"axb\"", "\"\\\\Qa.b\\\\E\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"Hello\"", "\"^\\\\p{Upper}\\\\p{Lower}+$\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"ab1\"", "\"^[\\\\p{Alpha}\\\\d]+$\"")]
    [InlineData("regexp_matches", "Boolean:false", "\"aaa\"", "\"a++a\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"aaab\"", "\"(?:a)++b\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"ABC\"", "\"(?i)abc\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"key=val\"", "\"(?<k>\\\\w+)=(?<v>\\\\w+)\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"ab\"", "\"(?<=a)b\"")]
    [InlineData("regexp_matches", "Boolean:true", "\"A\"", "\"\\\\x{41}\"")]
    [InlineData("regexp_replace", "String:axd", "\"abcd\"", "\"bc\"", "\"x\"")]
    [InlineData("regexp_replace", "String:ac", "\"abcd\"", "\"b(.*)d\"", "\"$1\"")]
    [InlineData("regexp_replace", "String:x-x", "\"a-b\"", "\"[a-z]\"", "\"x\"")]
    [InlineData("regexp_replace", "String:-a-b-c-", "\"abc\"", "\"x*\"", "\"-\"")]
    [InlineData("regexp_replace", "String:$a", "\"a\"", "\"^\"", "\"\\\\$\"")]
    [InlineData("regexp_replace", "String:b=a", "\"a=b\"", "\"(?<k>\\\\w)=(?<v>\\\\w)\"", "\"${v}=${k}\"")]
    [InlineData("regexp_replace", "String:a0", "\"a\"", "\"(a)\"", "\"$10\"")]
    [InlineData("regexp_replace", "String:", "\"a\"", "\"a|(b)\"", "\"$1\"")]
    [InlineData("regexp_replace", "Undefined", "\"a\"", "\"a\"", "\"$2\"")]
    [InlineData("regexp_replace", "Undefined", "\"a\"", "\"a\"", "\"$\"")]
    [InlineData("regexp_replace", "Undefined", "\"a\"", "\"a\"", "\"x\\\\\"")]
    [InlineData("regexp_replace", "Undefined", "\"a\"", "\"[\"", "\"x\"")]
    [InlineData("regexp_replace", "Undefined", "null", "\"a\"", "\"x\"")]
    [InlineData("regexp_replace", "Undefined", "\"a\"", "\"a\"", "undefined")]
    [InlineData("regexp_replace", "String:1x3", "123", "2", "\"x\"")]
    [InlineData("regexp_substr", "String:hi", "\"hihihello\"", "\"hi\"")]
    [InlineData("regexp_substr", "String:hihi", "\"hihihello\"", "\"(hi)*\"")]
    [InlineData("regexp_substr", "String:", "\"hello\"", "\"z+\"")]
    [InlineData("regexp_substr", "String:42", "\"abc42def\"", "\"[0-9]+\"")]
    [InlineData("regexp_substr", "Undefined", "null", "\"a\"")]
    [InlineData("regexp_substr", "Undefined", "\"a\"", "\"a)\"")]
    public void Function_Argument_Result(string name, string expected, params string[] args) =>
        Assert.Equal(expected, Fn.Eval(name, args));

    [Theory]
    [InlineData("\\d+", "[0-9]+")]
    [InlineData("[\\w-]", "[a-zA-Z_0-9-]")]
    [InlineData("a*+", "(?>a*)")]
    [InlineData("(ab)?+c", "(?>(ab)?)c")]
    [InlineData("x{2,3}+", "(?>x{2,3})")]
    [InlineData("a+?", "a+?")]
    [InlineData("(?u)a", "(?:)a")]
    [InlineData("a{", null)]
    [InlineData("[abc", null)]
    [InlineData("[a[b]]", null)]
    public void Translate_JavaToDotNet(string java, string? expected) =>
        Assert.Equal(expected, JavaRegex.Translate(java));

    [Fact]
    public void Get_SamePattern_ReturnsCachedInstance()
    {
        var first = JavaRegex.Get("ca(ch)+e");
        Assert.NotNull(first);
        Assert.Same(first, JavaRegex.Get("ca(ch)+e"));
        Assert.Equal(JavaRegex.MatchTimeout, first.MatchTimeout);
    }

    [Fact]
    public void Matches_CatastrophicBacktracking_TimesOutToUndefined()
    {
        var input = new string('a', 40) + "!";
        Assert.Equal("Undefined", Fn.Eval("regexp_matches", "\"" + input + "\"", "\"^(a+)+$\""));
    }
}
