using System.Diagnostics;
using Npgsql;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Leadership of the outbox relay: a session-level advisory lock held on a connection of its own,
/// which also LISTENs for the outbox NOTIFY. The lock lives exactly as long as the session, so a
/// crashed or disconnected leader frees it for another process.
/// </summary>
internal sealed class RelayLeadership : IAsyncDisposable
{
    // Arbitrary and fixed; distinct from the migrator's lock.
    private const long LockKey = 0x1_4e7e_0b0c;
    private static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromSeconds(1);

    private readonly NpgsqlConnection _connection;
    private long _lastCheck = Stopwatch.GetTimestamp();
    private int _notified;

    private RelayLeadership(NpgsqlConnection connection)
    {
        _connection = connection;
        _connection.Notification += (_, _) => Volatile.Write(ref _notified, 1);
    }

    /// <summary>Null when another process leads.</summary>
    public static async Task<RelayLeadership?> TryAcquireAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        var leadership = new RelayLeadership(connection);
        try
        {
            if (await leadership.ScalarAsync<bool>($"select pg_try_advisory_lock({LockKey})", ct))
            {
                await leadership.ScalarAsync<object>($"listen {PostgresOutbox.Channel}", ct);
                return leadership;
            }
        }
        catch
        {
            await leadership.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Throws when the session is gone (the lock went with it). Checked at most once a second;
    /// the round trip also drains notifications that queued up while the relay was busy.
    /// </summary>
    public async Task EnsureHeldAsync(CancellationToken ct)
    {
        if (Stopwatch.GetElapsedTime(_lastCheck) < LivenessCheckInterval) return;
        await ScalarAsync<int>("select 1", ct);
        _lastCheck = Stopwatch.GetTimestamp();
    }

    /// <summary>Returns when a transaction that enqueued messages commits, or after <paramref name="timeout"/>.</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _notified, 0) == 1) return;
        await _connection.WaitAsync(timeout, ct);
        Volatile.Write(ref _notified, 0);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, _connection) { CommandTimeout = 5 };
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Pooled connections are reset lazily, on their next use: release explicitly rather
            // than leave the lock held by an idle connection in the pool.
            await ScalarAsync<object>("select pg_advisory_unlock_all(); unlisten *", CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The session is broken: closing it releases the lock on the server.
        }
        await _connection.DisposeAsync();
    }
}
