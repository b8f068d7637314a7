using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Connections;

/// <summary>
/// <see cref="IConnectionLock"/> as a transaction-scoped PostgreSQL advisory lock (ADR 0016):
/// released by the commit or rollback, so a process that dies mid-refresh releases it with its
/// connection. The two-key form keeps these locks apart from the single-key ones other parts take
/// (the migrator, the relay, projection rebuilds); the key is a hash of the connection id, so two
/// connections may share a key now and then, which only makes one wait for the other.
/// </summary>
public sealed class PostgresConnectionLock(DbSession session) : IConnectionLock
{
    /// <summary>"Conn" in ASCII: the first key of every connection lock.</summary>
    public const int Namespace = 0x436F6E6E;

    public Task AcquireAsync(Guid connectionId, CancellationToken ct)
    {
        if (!session.InTransaction) throw new InvalidOperationException("A connection's lock is taken inside a unit of work.");
        return session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "select pg_advisory_xact_lock(@namespace, @key)", ct, ("namespace", Namespace), ("key", Key(connectionId))), ct);
    }

    /// <summary>The connection id folded into 32 bits (its random part varies most; every process computes the same).</summary>
    public static int Key(Guid connectionId)
    {
        Span<byte> bytes = stackalloc byte[16];
        connectionId.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes[..4]) ^ BitConverter.ToInt32(bytes[4..8]) ^ BitConverter.ToInt32(bytes[8..12]) ^ BitConverter.ToInt32(bytes[12..]);
    }
}
