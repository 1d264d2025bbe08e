using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Engine.Audit;
using IoTRuleEmu.Engine.Logging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Persistence;

/// <summary>
/// Where accepted async events live until they end: written when Invoke accepts the event, after every attempt or throttle
/// that leaves it waiting (attempt count, next-attempt time), and removed when the event ends. On start the queue resumes
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

    /// <summary>Writes whatever is still buffered; returns when it is committed.</summary>
    void Flush();
}

/// <summary>
/// The SQLite store (table <c>async_events</c> of <see cref="LambdaStateDatabase"/>), with group commit for the hot path.
/// </summary>
/// <remarks>
/// An event's first state (just accepted) and its removal are buffered and committed by one writer thread, a batch per
/// transaction, at most <see cref="LambdaEmulatorOptions.StateCommitInterval"/> after the first change of the batch.
/// An event that ends before its batch is written (the common case for a function that succeeds) costs no statement at
/// all. Every later state (a retry or a throttle backoff scheduled) is written through at once, because it carries a due
/// time that must survive a restart.
/// A graceful stop (<see cref="Dispose"/>) commits everything; a <c>kill -9</c> can lose the events accepted within the
/// last commit interval: see docs/fidelity.md.
/// </remarks>
public sealed partial class SqliteAsyncInvocationStore : IAsyncInvocationStore, IDisposable
{
    private const string UpsertSql = """
        INSERT INTO async_events (request_id, function_name, state, next_attempt_at_ms, updated_at_ms) VALUES ($id, $f, $s, $n, $u)
        ON CONFLICT(request_id) DO UPDATE SET state = excluded.state, next_attempt_at_ms = excluded.next_attempt_at_ms, updated_at_ms = excluded.updated_at_ms
        """;

    private const string DeleteSql = "DELETE FROM async_events WHERE request_id = $id";

    private readonly LambdaStateDatabase _database;
    private readonly ILogger _logger;
    private readonly Lock _pendingLock = new();
    // Request id → the accepted event to insert, or null to delete. Guarded by _pendingLock.
    private Dictionary<string, AsyncInvocation?> _pending = new(StringComparer.Ordinal);
    private Dictionary<string, AsyncInvocation?> _spare = new(StringComparer.Ordinal);
    private readonly BatchSignal _signal;
    private readonly Func<bool> _hasWork;
    private readonly object _flushGate = new();
    private readonly Thread _writer;
    private long _requested; // flush requests so far, guarded by _pendingLock
    private long _committed; // flush requests served so far: written under _flushGate, read by HasWork without it
    private long _committedStatements;
    private volatile bool _closed;

    public SqliteAsyncInvocationStore(LambdaStateDatabase database, IOptions<LambdaEmulatorOptions>? options = null, ILogger<SqliteAsyncInvocationStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        // Real time on purpose (not the emulator's clock, which may be virtual): the interval only paces disk writes.
        _signal = new BatchSignal(options?.Value.StateCommitInterval ?? LambdaEmulatorOptions.DefaultStateCommitInterval, gatherWhenBusy: true);
        _hasWork = HasWork;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Lambda state writer" };
        _writer.Start();
    }

    /// <summary>Statements committed by the group-commit writer so far (inserts and deletes; coalesced ones never count).</summary>
    public long CommittedStatements => Interlocked.Read(ref _committedStatements);

    public void Save(AsyncInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (IsFirstState(invocation) && !_closed)
        {
            lock (_pendingLock)
            {
                _pending[invocation.RequestId] = invocation;
            }
            _signal.NotifyWork();
            return;
        }
        // A later state: write through. The database lock first, so a batch that holds an older state of this event
        // commits before this one (the writer takes the same two locks in the same order).
        _database.Use(c =>
        {
            lock (_pendingLock)
            {
                _pending.Remove(invocation.RequestId);
            }
            using var command = CreateUpsert(c);
            BindUpsert(command, invocation, Serialize(invocation));
            command.ExecuteNonQuery();
        });
    }

    public void Remove(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_pendingLock)
        {
            // Accepted and ended within one batch: neither statement is needed.
            if (_pending.TryGetValue(requestId, out var insert) && insert is not null)
            {
                _pending.Remove(requestId);
                return;
            }
            _pending[requestId] = null;
        }
        if (_closed)
        {
            Flush();
        }
        else
        {
            _signal.NotifyWork();
        }
    }

    public IReadOnlyList<AsyncInvocation> LoadPending()
    {
        Flush();
        return _database.HasStoredState ? ReadPending() : [];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private List<AsyncInvocation> ReadPending()
    {
        return _database.Use(c =>
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
            return list;
        });
    }

    public void Flush()
    {
        if (_closed)
        {
            CommitBatch();
            return;
        }
        long target;
        lock (_pendingLock)
        {
            target = ++_requested;
        }
        _signal.Hurry();
        lock (_flushGate)
        {
            while (_committed < target && _writer.IsAlive)
            {
                Monitor.Wait(_flushGate, TimeSpan.FromSeconds(1));
            }
        }
    }

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _signal.Hurry();
        _writer.Join(TimeSpan.FromSeconds(30));
        try
        {
            CommitBatch();
        }
        catch (ObjectDisposedException)
        {
            // The database was disposed first (not through the container): nothing left to write to.
        }
        _signal.Dispose();
    }

    /// <summary>Just accepted: no attempt, no throttle, nothing scheduled. Only this state is buffered.</summary>
    private static bool IsFirstState(AsyncInvocation invocation) =>
        invocation.Attempts.Count == 0 && invocation.Throttles == 0 && invocation.NextAttemptAt is null;

    private bool HasWork()
    {
        lock (_pendingLock)
        {
            return _pending.Count > 0 || _requested != Volatile.Read(ref _committed) || _closed;
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            // Woken by the first change of a batch, then the batch gathers for the commit interval: events that end
            // meanwhile cancel out, and one transaction carries the rest. A flush or close skips the wait.
            _signal.WaitForBatch(_hasWork);
            long requested;
            lock (_pendingLock)
            {
                requested = _requested;
            }
            try
            {
                CommitBatch();
            }
            catch (Exception ex) when (IsDatabaseFailure(ex))
            {
                // The database failed or went away: the events keep running in memory but would not survive a restart.
                LogBatchFailed(_logger, ex);
            }
            lock (_flushGate)
            {
                Volatile.Write(ref _committed, requested);
                Monitor.PulseAll(_flushGate);
            }
            if (_closed)
            {
                return;
            }
        }
    }

    // Not inline in WriteLoop's filter: compiling a method that names SqliteException loads SQLite's assemblies, and the
    // writer loop starts with the emulator, long before anything is written (LambdaStateDatabase opens on first use).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsDatabaseFailure(Exception ex) => ex is SqliteException or InvalidOperationException or ObjectDisposedException;

    private void CommitBatch()
    {
        lock (_pendingLock)
        {
            if (_pending.Count == 0)
            {
                return; // nothing to write: do not open a database that may not be needed yet
            }
        }
        WriteBatch();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteBatch()
    {
        _database.Use(c =>
        {
            Dictionary<string, AsyncInvocation?> batch;
            lock (_pendingLock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }
                batch = _pending;
                _pending = _spare;
                _spare = batch;
            }
            try
            {
                using var transaction = c.BeginTransaction();
                using var upsert = CreateUpsert(c);
                upsert.Transaction = transaction;
                using var delete = c.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = DeleteSql;
                var id = delete.Parameters.Add("$id", SqliteType.Text);
                foreach (var (requestId, invocation) in batch)
                {
                    if (invocation is null)
                    {
                        id.Value = requestId;
                        delete.ExecuteNonQuery();
                    }
                    else
                    {
                        BindUpsert(upsert, invocation, Serialize(invocation, acceptedStateOnly: true));
                        upsert.ExecuteNonQuery();
                    }
                }
                transaction.Commit();
                Interlocked.Add(ref _committedStatements, batch.Count);
            }
            finally
            {
                batch.Clear();
            }
        });
    }

    private static SqliteCommand CreateUpsert(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = UpsertSql;
        command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.Add("$f", SqliteType.Text);
        command.Parameters.Add("$s", SqliteType.Text);
        command.Parameters.Add("$n", SqliteType.Integer);
        command.Parameters.Add("$u", SqliteType.Integer);
        return command;
    }

    private static void BindUpsert(SqliteCommand command, AsyncInvocation invocation, string state)
    {
        var p = command.Parameters;
        p[0].Value = invocation.RequestId;
        p[1].Value = invocation.FunctionName;
        p[2].Value = state;
        p[3].Value = invocation.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : DBNull.Value;
        p[4].Value = invocation.AcceptedAt.ToUnixTimeMilliseconds();
    }

    /// <summary>
    /// The stored document. <paramref name="acceptedStateOnly"/>: only the immutable accepted state (no attempts, nothing
    /// scheduled), which the writer thread can read while the queue works on the same event.
    /// </summary>
    internal static string Serialize(AsyncInvocation i, bool acceptedStateOnly = false)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + i.Payload.Length * 4 / 3);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("requestId", i.RequestId);
            w.WriteString("functionName", i.FunctionName);
            w.WriteString("functionArn", i.FunctionArn);
            WriteNullable(w, "qualifier", i.Qualifier);
            w.WriteBase64String("payload", i.Payload.Span);
            w.WriteNumber("accepted", i.AcceptedAt.UtcTicks);
            w.WriteString("invokedBy", i.Caller.InvokedBy);
            WriteNullable(w, "sourceArn", i.Caller.SourceArn);
            WriteNullable(w, "sourceAccount", i.Caller.SourceAccount);
            WriteNullable(w, "ruleName", i.Caller.RuleName);
            if (!acceptedStateOnly && i.NextAttemptAt is { } next)
            {
                w.WriteNumber("next", next.UtcTicks);
            }
            else
            {
                w.WriteNull("next");
            }
            w.WriteNumber("throttles", acceptedStateOnly ? 0 : i.Throttles);
            w.WriteStartArray("attempts");
            if (!acceptedStateOnly)
            {
                foreach (var a in i.Attempts)
                {
                    w.WriteStartObject();
                    w.WriteNumber("attempt", a.Attempt);
                    w.WriteNumber("started", a.StartedAt.UtcTicks);
                    w.WriteNumber("finished", a.FinishedAt.UtcTicks);
                    w.WriteString("outcome", a.Outcome.ToString());
                    WriteNullable(w, "errorType", a.ErrorType);
                    WriteNullable(w, "errorMessage", a.ErrorMessage);
                    if (a.Response.IsEmpty)
                    {
                        w.WriteNull("response");
                    }
                    else
                    {
                        w.WriteBase64String("response", a.Response.Span);
                    }
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
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

    [LoggerMessage(EventIds.StateStoreFailed, LogLevel.Error, "Lambda state store could not commit a batch of accepted/ended events; those events run but would not survive a restart")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);
}
