namespace Integrations.Application.Connections;

/// <summary>
/// One writer at a time per connection, across every API and Workers instance (ADR 0016): a
/// PostgreSQL advisory lock held by the current unit of work's transaction until it commits or
/// rolls back. Every write to a connection's stream and credential takes it first, so a refresh —
/// which holds it across the call to the token endpoint — never races another refresh, and its
/// append never loses a concurrency race (which would roll back a single-use token's replacement).
/// </summary>
public interface IConnectionLock
{
    /// <summary>Waits for the lock of <paramref name="connectionId"/>; must run inside a unit of work.</summary>
    Task AcquireAsync(Guid connectionId, CancellationToken ct);
}
