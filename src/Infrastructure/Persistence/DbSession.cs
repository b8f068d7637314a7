using Integrations.Application.Common.Exceptions;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// The scoped database session: while a unit of work is open, every port in the scope runs on its
/// connection and transaction; outside one, each call borrows a pooled connection of its own.
/// </summary>
public sealed class DbSession(NpgsqlDataSource dataSource, PostgresNotifier notifier) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private HashSet<string>? _notifyAfterCommit;
    private bool _refusedText;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

    public NpgsqlDataSource DataSource => dataSource;

    public bool InTransaction => _transaction is not null;

    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, CancellationToken ct)
    {
        if (_transaction is not null) return await RefusingUnstorableTextAsync(_connection!, _transaction, work);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return await RefusingUnstorableTextAsync(connection, null, work);
        }
        finally
        {
            ForgetPreparedStatementsIfRefused(connection);
        }
    }

    /// <summary>
    /// Any text of a request may hold U+0000, which PostgreSQL's text and jsonb refuse: the
    /// caller's error, not a fault. The refusal comes while binding the parameters of an
    /// automatically prepared statement, after which Npgsql's idea of what the connection has
    /// prepared no longer matches the server's (the next command on it failed with "unexpected
    /// backend message DataRow"), so the connection's prepared statements are dropped before it
    /// goes back to the pool.
    /// </summary>
    private async Task<T> RefusingUnstorableTextAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work)
    {
        try
        {
            return await work(connection, transaction);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter)
        {
            _refusedText = true;
            var refused = new UnstorableTextException(ex);
            MarkFailed(refused);
            throw refused;
        }
        catch (PostgresException ex) when (transaction is not null)
        {
            MarkFailed(ex);
            throw;
        }
    }

    private void ForgetPreparedStatementsIfRefused(NpgsqlConnection connection)
    {
        if (!_refusedText) return;
        _refusedText = false;
        // Npgsql offers no asynchronous form; it is one short round trip on a rare path.
        connection.UnprepareAll();
    }

    public Task RunAsync(Func<NpgsqlConnection, NpgsqlTransaction?, Task> work, CancellationToken ct) =>
        RunAsync(async (c, t) => { await work(c, t); return true; }, ct);

    /// <summary>
    /// Wakes the listeners of <paramref name="channel"/> once what this session wrote is committed:
    /// at once outside a unit of work (each statement commits by itself), else after the commit.
    /// </summary>
    public void NotifyAfterCommit(string channel)
    {
        if (_transaction is null) notifier.Signal(channel);
        else (_notifyAfterCommit ??= new HashSet<string>(StringComparer.Ordinal)).Add(channel);
    }

    /// <summary>
    /// A write inside the unit of work failed: its transaction must not commit, even if a caller
    /// caught the failure and went on. (PostgreSQL turns the COMMIT of a transaction a statement
    /// failed in into a rollback without an error, which would report success for nothing stored.)
    /// The failure is thrown again at commit, so a caught conflict still has the unit of work retried.
    /// </summary>
    public void MarkFailed(Exception failure)
    {
        if (_transaction is not null) _failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure);
    }

    /// <summary>Creates a command bound to the ambient transaction when there is one.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    internal async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (_transaction is not null) return await work(ct); // nested: join the outer transaction
        _connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            _transaction = await _connection.BeginTransactionAsync(ct);
            var result = await work(ct);
            _failure?.Throw();
            await _transaction.CommitAsync(ct);
            if (_notifyAfterCommit is not null)
                foreach (var channel in _notifyAfterCommit) notifier.Signal(channel);
            return result;
        }
        finally
        {
            _notifyAfterCommit = null;
            _failure = null;
            if (_transaction is not null) await _transaction.DisposeAsync();
            ForgetPreparedStatementsIfRefused(_connection);
            await _connection.DisposeAsync();
            _transaction = null;
            _connection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
