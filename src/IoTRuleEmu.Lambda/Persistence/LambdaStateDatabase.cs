using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using IoTRuleEmu.Engine;

namespace IoTRuleEmu.Lambda.Persistence;

/// <summary>
/// The SQLite file <c>&lt;data&gt;/lambda-state.db</c>: accepted async events (attempts so far, next attempt time) and
/// EventInvokeConfigs set through the API. One connection, serialised by a lock; WAL journal, so a killed process
/// (even <c>kill -9</c>) loses nothing that was committed. Null <see cref="LambdaEmulatorOptions.StateDatabase"/> keeps
/// everything in memory (lost on exit).
/// </summary>
public sealed class LambdaStateDatabase : IDisposable
{
    public const string FileName = "lambda-state.db";

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;

    public LambdaStateDatabase(IOptions<RuleEngineOptions> engineOptions, IOptions<LambdaEmulatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(options);
        var durable = options.Value.DurableState;
        if (durable)
        {
            Directory.CreateDirectory(engineOptions.Value.DataDirectory);
            FilePath = Path.GetFullPath(Path.Combine(engineOptions.Value.DataDirectory, FileName));
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = durable ? FilePath : ":memory:",
            Mode = durable ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.Memory,
            Pooling = false,
        };
        _connection = new SqliteConnection(builder.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS async_events (
                request_id TEXT PRIMARY KEY,
                function_name TEXT NOT NULL,
                state TEXT NOT NULL,
                next_attempt_at_ms INTEGER,
                updated_at_ms INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS event_invoke_configs (
                function_name TEXT NOT NULL,
                qualifier TEXT NOT NULL,
                state TEXT NOT NULL,
                PRIMARY KEY (function_name, qualifier));
            """);
    }

    /// <summary>The database file; null when the state is kept in memory.</summary>
    public string? FilePath { get; }

    /// <summary>Runs <paramref name="action"/> with the connection, under the lock.</summary>
    public T Use<T>(Func<SqliteConnection, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            return action(_connection);
        }
    }

    public void Use(Action<SqliteConnection> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            action(_connection);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
