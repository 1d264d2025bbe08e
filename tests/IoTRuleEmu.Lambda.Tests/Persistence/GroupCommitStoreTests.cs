using System.Text;
using IoTRuleEmu.Engine;
using IoTRuleEmu.Lambda.Async;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Lambda.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace IoTRuleEmu.Lambda.Tests.Persistence;

/// <summary>
/// The group-commit store: accepted and ended events are committed in batches and cancel out within one batch; later
/// states (a retry scheduled) are written through. Read back through a second connection to the database file, as the
/// next emulator process would.
/// </summary>
public sealed class GroupCommitStoreTests : IDisposable
{
    private static readonly DateTimeOffset Accepted = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _data = Directory.CreateTempSubdirectory("iotruleemu-store-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private (LambdaStateDatabase Database, SqliteAsyncInvocationStore Store) Open(TimeSpan commitInterval)
    {
        var database = new LambdaStateDatabase(Options.Create(new RuleEngineOptions { DataDirectory = _data }), Options.Create(new LambdaEmulatorOptions()));
        var store = new SqliteAsyncInvocationStore(database, Options.Create(new LambdaEmulatorOptions { StateCommitInterval = commitInterval }));
        return (database, store);
    }

    private static AsyncInvocation Event(string id) =>
        new(id, "fn", "arn:aws:lambda:us-east-1:123456789012:function:fn", Encoding.UTF8.GetBytes("{\"id\":\"" + id + "\"}"), Accepted,
            InvokeCaller.IotRule("r", "arn:aws:iot:us-east-1:123456789012:rule/r", "123456789012"));

    /// <summary>Request ids in the file, as another process sees them (none while the file does not exist yet).</summary>
    private List<string> StoredIds()
    {
        var path = Path.Combine(_data, LambdaStateDatabase.FileName);
        if (!File.Exists(path))
        {
            return [];
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        // The writer creates the file, then its tables: in between there is nothing stored yet.
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'async_events'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return [];
        }
        command.CommandText = "SELECT request_id FROM async_events ORDER BY request_id";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    [Fact]
    public void NewDatabase_IsCreatedByTheFirstWrite_NotAtStart()
    {
        var (database, store) = Open(TimeSpan.FromHours(1));
        using (database)
        using (store)
        {
            var path = Path.Combine(_data, LambdaStateDatabase.FileName);
            Assert.Empty(store.LoadPending());
            Assert.False(database.HasStoredState);
            Assert.False(File.Exists(path));
            // An event accepted and ended before its batch commits never needs the file either.
            store.Save(Event("gone"));
            store.Remove("gone");
            store.Flush();
            Assert.False(File.Exists(path));

            store.Save(Event("kept"));
            store.Flush();
            Assert.True(database.HasStoredState);
            Assert.Equal(["kept"], StoredIds());
        }

        // Restarted over the file: there is state to resume from the start.
        var (again, reopened) = Open(TimeSpan.FromHours(1));
        using (again)
        using (reopened)
        {
            Assert.True(again.HasStoredState);
            Assert.Equal("kept", Assert.Single(reopened.LoadPending()).RequestId);
        }
    }

    [Fact]
    public void EventsThatEndWithinOneBatch_CostNoStatement()
    {
        // An hour-long interval: nothing is committed unless asked, so the batch is certainly the same one.
        var (database, store) = Open(TimeSpan.FromHours(1));
        using (database)
        using (store)
        {
            for (var i = 0; i < 100; i++)
            {
                store.Save(Event("e" + i));
            }
            for (var i = 0; i < 100; i += 2)
            {
                store.Remove("e" + i);
            }
            store.Flush();

            Assert.Equal(50, store.CommittedStatements);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => "e" + (2 * i + 1)).Order(StringComparer.Ordinal), StoredIds());
        }
    }

    [Fact]
    public void AcceptedEvent_IsCommittedWithinTheInterval_WithoutAFlush()
    {
        var (database, store) = Open(TimeSpan.FromMilliseconds(1));
        using (database)
        using (store)
        {
            store.Save(Event("a"));
            // Nothing else asks for a commit: the writer's own interval does (polled through a second connection).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (StoredIds().Count == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Yield();
            }
            Assert.Equal(["a"], StoredIds());
        }
    }

    [Fact]
    public void RetryState_IsWrittenThrough_AndReplacesTheBufferedAcceptedState()
    {
        var (database, store) = Open(TimeSpan.FromHours(1));
        using (database)
        using (store)
        {
            var invocation = Event("r");
            store.Save(invocation);
            Assert.Empty(StoredIds());

            invocation.AddAttempt(new AttemptRecord(1, Accepted, Accepted.AddMilliseconds(5), AttemptOutcome.Unhandled, "Error", "boom"));
            invocation.NextAttemptAt = Accepted.AddSeconds(60);
            store.Save(invocation);

            // On disk before anything flushes: a kill -9 now keeps the retry and its due time.
            Assert.Equal(["r"], StoredIds());
            store.Flush();
            var stored = Assert.Single(store.LoadPending());
            Assert.Equal((1, Accepted.AddSeconds(60)), (stored.Attempts.Count, stored.NextAttemptAt));
        }
    }

    [Fact]
    public void Dispose_CommitsWhatIsBuffered()
    {
        var (database, store) = Open(TimeSpan.FromHours(1));
        store.Save(Event("x"));
        store.Save(Event("y"));
        store.Remove("y");
        store.Dispose();
        database.Dispose();

        Assert.Equal(["x"], StoredIds());
        var (database2, store2) = Open(TimeSpan.FromHours(1));
        using (database2)
        using (store2)
        {
            var resumed = Assert.Single(store2.LoadPending());
            Assert.Equal("{\"id\":\"x\"}", Encoding.UTF8.GetString(resumed.Payload.Span));
            Assert.Empty(resumed.Attempts);
        }
    }

    [Fact]
    public void EndedEventAlreadyOnDisk_IsDeletedByTheNextBatch()
    {
        var (database, store) = Open(TimeSpan.FromHours(1));
        using (database)
        using (store)
        {
            store.Save(Event("d"));
            store.Flush();
            Assert.Equal(["d"], StoredIds());

            store.Remove("d");
            Assert.Equal(["d"], StoredIds());
            store.Flush();
            Assert.Empty(StoredIds());
            Assert.Equal(2, store.CommittedStatements);
        }
    }
}
