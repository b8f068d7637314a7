using Integrations.Application.Common.Interfaces;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// A projection that applies many events in a few set-based statements. The batch event store
/// (<see cref="EventSourcing.PostgresBatchEventStore"/>) uses it instead of one round trip per
/// event; the result must equal applying the events one by one, in the order given.
/// </summary>
public interface IBatchProjection : IProjection
{
    Task ApplyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct);
}
