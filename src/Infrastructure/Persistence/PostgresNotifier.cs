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
/// listener also polls.
/// </summary>
public sealed class PostgresNotifier(NpgsqlDataSource dataSource, ILogger<PostgresNotifier> logger)
{
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);

    /// <summary>Call after the commit: the listeners of <paramref name="channel"/> wake up soon after.</summary>
    public void Signal(string channel)
    {
        var state = _channels.GetOrAdd(channel, static _ => new ChannelState());
        Volatile.Write(ref state.Pending, 1);
        if (Interlocked.CompareExchange(ref state.Sending, 1, 0) == 0) _ = Task.Run(() => SendAsync(channel, state));
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

    private sealed class ChannelState
    {
        public int Pending;
        public int Sending;
    }
}
