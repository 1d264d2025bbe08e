using IoTRuleEmu.Sql.Functions;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests.Functions;

/// <summary>The external functions of spec §3.5: routed to ISqlExternalFunctions; failures fail the evaluation.</summary>
public class ExternalFunctionsTests
{
    public static TheoryData<string, string[]> Calls => new()
    {
        { "aws_lambda", ["arn:aws:lambda:us-east-1:123456789012:function:f", "{}"] },
        { "get_dynamodb", ["tbl", "pk", "v", "arn:role"] },
        { "get_dynamodb", ["tbl", "pk", "v", "sk", "sv", "arn:role"] },
        { "get_secret", ["id", "SecretString", "arn:role"] },
        { "get_secret", ["id", "SecretString", "key", "arn:role"] },
        { "get_thing_shadow", ["thing", "arn:role"] },
        { "get_thing_shadow", ["thing", "shadow", "arn:role"] },
        { "get_registry_data", ["DescribeThing", "thing", "arn:role"] },
        { "machinelearning_predict", ["model", "arn:role", "{}"] },
    };

    private static SqlValue[] Args(string[] texts)
    {
        var values = new SqlValue[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            values[i] = SqlValue.FromString(texts[i]);
        }
        return values;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void External_Success_ReturnsHostValueAndPassesArguments(string name, string[] args)
    {
        var host = new RecordingExternal(SqlExternalResult.Success(SqlJson.ParseValue("{\"state\":{\"reported\":{\"alarm\":\"ON\"}}}")));
        var function = SqlFunctionRegistry.Find(name)!;
        Assert.True(function.Flags.HasFlag(SqlFunctionFlags.External));
        using var context = new EvalContext(Fn.DefaultMessage, host) { Version = SqlVersion.V2016_03_23 };
        var result = function.Invoke(Args(args), context);
        Assert.Equal("ON", result.GetMember("state").GetMember("reported").GetMember("alarm").AsString);
        Assert.Equal(name, host.LastName);
        Assert.Equal(args.Length, host.LastArgCount);
        Assert.Equal(args[0], host.LastArgs[0].AsString);
        Assert.False(context.Failed);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void External_Error_FailsEvaluationWithHostMessage(string name, string[] args)
    {
        var host = new RecordingExternal(SqlExternalResult.Failure("AccessDenied: role cannot read"));
        using var context = new EvalContext(Fn.DefaultMessage, host) { Version = SqlVersion.V2016_03_23 };
        var result = SqlFunctionRegistry.Find(name)!.Invoke(Args(args), context);
        Assert.True(result.IsUndefined);
        Assert.True(context.Failed);
        Assert.Equal("AccessDenied: role cannot read", context.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void External_NoHost_FailsEvaluationNamingFunction(string name, string[] args)
    {
        using var context = new EvalContext(Fn.DefaultMessage) { Version = SqlVersion.V2016_03_23 };
        var result = SqlFunctionRegistry.Find(name)!.Invoke(Args(args), context);
        Assert.True(result.IsUndefined);
        Assert.True(context.Failed);
        Assert.StartsWith(name + ":", context.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("no implementation of external functions is configured", context.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void GetDynamoDb_FiveArguments_IsUndefinedWithoutCallingHost()
    {
        var host = new RecordingExternal(SqlExternalResult.Success(SqlValue.True));
        using var context = new EvalContext(Fn.DefaultMessage, host) { Version = SqlVersion.V2016_03_23 };
        var result = SqlFunctionRegistry.Find("get_dynamodb")!.Invoke(Args(["t", "pk", "v", "sk", "arn"]), context);
        Assert.True(result.IsUndefined);
        Assert.Null(host.LastName);
        Assert.False(context.Failed);
    }

    [Fact]
    public void AwsLambda_StarArgument_IsThePayloadValueNotRawBytes() =>
        Assert.False(SqlFunctionRegistry.Find("aws_lambda")!.Flags.HasFlag(SqlFunctionFlags.StarIsRawPayload));
}
