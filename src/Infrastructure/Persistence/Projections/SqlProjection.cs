using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.EventStore;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// A read model in tables of our own (hand-tuned for keyset lists), kept by Marten (ADR 0011):
/// Marten hands every page of events to <see cref="Apply"/>, inline in the transaction that
/// appends them or from the async daemon, and a rebuild replays the log into it after deleting
/// the rows of <see cref="Tables"/>. Apply turns the page's events into a few set-based
/// statements, queued into Marten's batch for that transaction: nothing runs one row at a time.
/// </summary>
public abstract class SqlProjection : Marten.Events.Projections.IProjection
{
    /// <summary>The name the rebuild endpoint and the progress report use.</summary>
    public abstract string Name { get; }

    /// <summary>Every table this projection owns; a rebuild deletes their rows, in this order.</summary>
    public abstract IReadOnlyList<string> Tables { get; }

    /// <summary>The domain event types this projection applies.</summary>
    public abstract IReadOnlySet<Type> Handles { get; }

    /// <summary>Inline where a request must read its own write; async (the daemon) for the rest.</summary>
    public virtual ProjectionLifecycle Lifecycle => ProjectionLifecycle.Inline;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var relevant = events.Where(e => Handles.Contains(e.EventType)).OrderBy(e => e.Sequence).Select(MartenEvents.ToStored).ToList();
        if (relevant.Count == 0) return Task.CompletedTask;
        foreach (var statement in Apply(relevant)) operations.QueueOperation(new SqlStorageOperation(statement));
        return Task.CompletedTask;
    }

    /// <summary>The statements that apply <paramref name="events"/> (in log order); their net effect must equal applying them one by one.</summary>
    public abstract IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events);
}
