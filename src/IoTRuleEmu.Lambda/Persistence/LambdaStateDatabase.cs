using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using IoTRuleEmu.Engine;

namespace IoTRuleEmu.Lambda.Persistence;

/// <summary>
/// The SQLite file <c>&lt;data&gt;/lambda-state.db</c>: accepted async events (attempts so far, next attempt time) and
/// EventInvokeConfigs set through the API. One connection, serialised by a lock; WAL journal, so a killed process
/// (even <c>kill -9</c>) loses nothing that was committed. Null <see cref="LambdaEmulatorOptions.StateDatabase"/> keeps
/// everything in memory (lost on exit).
/// The connection opens when the database is first needed: at start only when the file already exists (there is state
/// to resume), otherwise at the first write. An emulator that has accepted nothing yet never loads SQLite
/// (System.Data.Common, the native library and what they pull in: ~4 MB resident).
/// </summary>
public sealed class LambdaStateDatabase : IDisposable
{
    public const string FileName = "lambda-state.db";

    private readonly Lock _lock = new();
    private readonly bool _durable;
    private readonly bool _existed;
    private SqliteConnection? _connection;
    // Apart from _connection: reading a field of a SQLite type would itself load the SQLite assemblies.
    private bool _opened;
    private bool _disposed;

    public LambdaStateDatabase(IOptions<RuleEngineOptions> engineOptions, IOptions<LambdaEmulatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(options);
        _durable = options.Value.DurableState;
        if (_durable)
        {
            Directory.CreateDirectory(engineOptions.Value.DataDirectory);
            FilePath = Path.GetFullPath(Path.Combine(engineOptions.Value.DataDirectory, FileName));
            _existed = File.Exists(FilePath);
        }
    }

    /// <summary>The database file; null when the state is kept in memory.</summary>
    public string? FilePath { get; }

    /// <summary>Runs <paramref name="action"/> with the connection (opened if need be), under the lock.</summary>
    public T Use<T>(Func<SqliteConnection, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            return action(Connection());
        }
    }

    public void Use(Action<SqliteConnection> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            action(Connection());
        }
    }

    /// <summary>
    /// False while nothing can be stored yet (no file at start, nothing written since): there is no state to load, and
    /// callers skip their queries, whose code alone (it names SQLite's types) would load the SQLite assemblies.
    /// </summary>
    public bool HasStoredState
    {
        get
        {
            lock (_lock)
            {
                return _existed || _opened;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _connection?.Dispose();
        }
    }

    private SqliteConnection Connection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connection is null)
        {
            _connection = Open();
            _opened = true;
        }
        return _connection;
    }

    private SqliteConnection Open()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _durable ? FilePath : ":memory:",
            Mode = _durable ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.Memory,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=NORMAL;");
            Execute(connection, """
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
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
