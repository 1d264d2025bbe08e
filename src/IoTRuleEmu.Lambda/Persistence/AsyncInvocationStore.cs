using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Invocation;

namespace IoTRuleEmu.Lambda.Persistence;

/// <summary>
/// Where accepted async events live until they end: written when Invoke accepts the event (before 202), after every
/// attempt or throttle (attempt count, next-attempt time), and removed when the event ends. On start the queue resumes
/// every stored event on its schedule. Delivery is at least once: an attempt cut short by a crash runs again.
/// </summary>
public interface IAsyncInvocationStore
{
    /// <summary>Stores or updates the event.</summary>
    void Save(AsyncInvocation invocation);

    /// <summary>Forgets the event (it ended).</summary>
    void Remove(string requestId);

    /// <summary>Every stored event, oldest first.</summary>
    IReadOnlyList<AsyncInvocation> LoadPending();
}

/// <summary>The SQLite store (table <c>async_events</c> of <see cref="LambdaStateDatabase"/>).</summary>
public sealed class SqliteAsyncInvocationStore(LambdaStateDatabase database) : IAsyncInvocationStore
{
    public void Save(AsyncInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var state = Serialize(invocation);
        database.Use(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = """
                INSERT INTO async_events (request_id, function_name, state, next_attempt_at_ms, updated_at_ms) VALUES ($id, $f, $s, $n, $u)
                ON CONFLICT(request_id) DO UPDATE SET state = excluded.state, next_attempt_at_ms = excluded.next_attempt_at_ms, updated_at_ms = excluded.updated_at_ms
                """;
            command.Parameters.AddWithValue("$id", invocation.RequestId);
            command.Parameters.AddWithValue("$f", invocation.FunctionName);
            command.Parameters.AddWithValue("$s", state);
            command.Parameters.AddWithValue("$n", invocation.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : DBNull.Value);
            command.Parameters.AddWithValue("$u", invocation.AcceptedAt.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        });
    }

    public void Remove(string requestId) => database.Use(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "DELETE FROM async_events WHERE request_id = $id";
        command.Parameters.AddWithValue("$id", requestId);
        command.ExecuteNonQuery();
    });

    public IReadOnlyList<AsyncInvocation> LoadPending() => database.Use(c =>
    {
        var list = new List<AsyncInvocation>();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT state FROM async_events ORDER BY updated_at_ms, rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (Deserialize(reader.GetString(0)) is { } invocation)
            {
                list.Add(invocation);
            }
        }
        return (IReadOnlyList<AsyncInvocation>)list;
    });

    internal static string Serialize(AsyncInvocation i)
    {
        var attempts = new JsonArray();
        foreach (var a in i.Attempts)
        {
            attempts.Add(new JsonObject
            {
                ["attempt"] = a.Attempt,
                ["started"] = a.StartedAt.UtcTicks,
                ["finished"] = a.FinishedAt.UtcTicks,
                ["outcome"] = a.Outcome.ToString(),
                ["errorType"] = a.ErrorType,
                ["errorMessage"] = a.ErrorMessage,
                ["response"] = a.Response.IsEmpty ? null : Convert.ToBase64String(a.Response.Span),
            });
        }
        return new JsonObject
        {
            ["requestId"] = i.RequestId,
            ["functionName"] = i.FunctionName,
            ["functionArn"] = i.FunctionArn,
            ["qualifier"] = i.Qualifier,
            ["payload"] = Convert.ToBase64String(i.Payload.Span),
            ["accepted"] = i.AcceptedAt.UtcTicks,
            ["invokedBy"] = i.Caller.InvokedBy,
            ["sourceArn"] = i.Caller.SourceArn,
            ["sourceAccount"] = i.Caller.SourceAccount,
            ["ruleName"] = i.Caller.RuleName,
            ["next"] = i.NextAttemptAt?.UtcTicks,
            ["throttles"] = i.Throttles,
            ["attempts"] = attempts,
        }.ToJsonString();
    }

    internal static AsyncInvocation? Deserialize(string json)
    {
        try
        {
            var s = JsonNode.Parse(json)!;
            var invocation = new AsyncInvocation(
                (string)s["requestId"]!, (string)s["functionName"]!, (string)s["functionArn"]!,
                Convert.FromBase64String((string)s["payload"]!), new DateTimeOffset((long)s["accepted"]!, TimeSpan.Zero),
                new InvokeCaller((string)s["invokedBy"]!, (string?)s["sourceArn"], (string?)s["sourceAccount"], (string?)s["ruleName"]))
            {
                Qualifier = (string?)s["qualifier"],
            };
            invocation.NextAttemptAt = (long?)s["next"] is long next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
            invocation.Throttles = (int?)s["throttles"] ?? 0;
            foreach (var a in s["attempts"]!.AsArray())
            {
                invocation.AddAttempt(new AttemptRecord(
                    (int)a!["attempt"]!, new DateTimeOffset((long)a["started"]!, TimeSpan.Zero), new DateTimeOffset((long)a["finished"]!, TimeSpan.Zero),
                    Enum.Parse<AttemptOutcome>((string)a["outcome"]!), (string?)a["errorType"], (string?)a["errorMessage"])
                {
                    Response = (string?)a["response"] is { } r ? Convert.FromBase64String(r) : default,
                });
            }
            return invocation;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
