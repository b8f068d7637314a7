using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// Sends a channel's NOTIFY after the writes it announces have committed, coalesced: at most one
/// NOTIFY per channel in flight in this process, and one more if anything committed meanwhile.
/// A NOTIFY issued inside the writing transaction takes PostgreSQL's single notification-queue
/// lock at commit and keeps it until the commit is done, so every notifying transaction of the
/// whole server commits one at a time: in the webhook benchmark, thousands of commits waited over
/// 20 ms for it. A signal lost to a crash between commit and NOTIFY costs only latency: every
/// listener also polls. Listeners in this process (<see cref="Listen"/>) are called at once, without
/// the NOTIFY's round trip through PostgreSQL.
/// </summary>
public sealed class PostgresNotifier(NpgsqlDataSource dataSource, ILogger<PostgresNotifier> logger)
{
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly Lock _listenersLock = new();
    // Replaced whole under the lock, never changed: Signal reads it without one.
    private Dictionary<string, Action> _listeners = new(StringComparer.Ordinal);

    /// <summary>Call after the commit: the listeners of <paramref name="channel"/> wake up soon after, those in this process at once.</summary>
    public void Signal(string channel)
    {
        if (Volatile.Read(ref _listeners).TryGetValue(channel, out var here)) here();
        var state = _channels.GetOrAdd(channel, static _ => new ChannelState());
        Volatile.Write(ref state.Pending, 1);
        if (Interlocked.CompareExchange(ref state.Sending, 1, 0) == 0) _ = Task.Run(() => SendAsync(channel, state));
    }

    /// <summary>
    /// Calls <paramref name="listener"/> (on the signalling thread: keep it short) whenever this process
    /// signals <paramref name="channel"/>, until the result is disposed.
    /// </summary>
    public IDisposable Listen(string channel, Action listener)
    {
        Change(channel, existing => existing + listener);
        return new Listening(() => Change(channel, existing => existing - listener));
    }

    private void Change(string channel, Func<Action?, Action?> change)
    {
        lock (_listenersLock)
        {
            var listeners = new Dictionary<string, Action>(_listeners, StringComparer.Ordinal);
            if (change(listeners.GetValueOrDefault(channel)) is { } changed) listeners[channel] = changed;
            else listeners.Remove(channel);
            Volatile.Write(ref _listeners, listeners);
        }
    }

    private async Task SendAsync(string channel, ChannelState state)
    {
        while (true)
        {
            // Everything signalled before this point committed before the NOTIFY below is sent.
            Volatile.Write(ref state.Pending, 0);
            try
            {
                await using var command = dataSource.CreateCommand("select pg_notify(@channel, '')");
                command.Parameters.AddWithValue("channel", channel);
                await command.ExecuteNonQueryAsync();
            }
            catch (ObjectDisposedException)
            {
                return; // shutting down
            }
            catch (Exception ex)
            {
                // The listeners' polling picks the work up; the next signal tries again.
                logger.LogWarning(ex, "Could not send NOTIFY {Channel}", channel);
                Volatile.Write(ref state.Sending, 0);
                return;
            }
            Volatile.Write(ref state.Sending, 0);
            if (Volatile.Read(ref state.Pending) == 0 || Interlocked.CompareExchange(ref state.Sending, 1, 0) != 0) return;
        }
    }

    private sealed class Listening(Action stop) : IDisposable
    {
        private int _stopped;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 0) stop();
        }
    }

    private sealed class ChannelState
    {
        public int Pending;
        public int Sending;
    }
}
