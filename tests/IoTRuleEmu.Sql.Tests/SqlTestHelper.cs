using System.Text;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests;

/// <summary>Evaluates SQL against a payload the way a rule would and returns the output text.</summary>
internal static class SqlTestHelper
{
    /// <summary>A payload with one attribute of every type; <c>u</c> is absent (Undefined).</summary>
    public const string TypedPayload =
        """{"i":5,"j":2,"d":2.5,"s":"abc","n5":"5","nd":"1.5","t":"true","b":true,"f":false,"nul":null,"arr":[1,2],"arr2":[1,2],"obj":{"a":1},"obj2":{"a":1}}""";

    /// <summary>The output payload text; null when the rule does not fire; "FAILED: …" when evaluation failed.</summary>
    public static string? Eval(string sql, string payload = TypedPayload, SqlVersion version = SqlVersion.V2016_03_23, string topic = "t")
    {
        var statement = SqlStatement.Compile(sql, version);
        var result = statement.Evaluate(new SqlMessage { Topic = topic, Payload = Encoding.UTF8.GetBytes(payload), ClientId = "client-1", TimestampMs = 1_700_000_000_000 });
        return result.Outcome switch
        {
            SqlOutcome.Matched => Encoding.UTF8.GetString(result.Payload!),
            SqlOutcome.Failed => "FAILED: " + result.Error,
            _ => null,
        };
    }

    /// <summary>The value of an expression: <c>SELECT VALUE expr FROM 't'</c>; "" for Undefined.</summary>
    public static string? Value(string expr, SqlVersion version = SqlVersion.V2016_03_23, string payload = TypedPayload) =>
        Eval($"SELECT VALUE {expr} FROM 't'", payload, version);
}
