using Integrations.Application.Common.Interfaces;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// An inline projection: applied to each new event in the append's own transaction, and replayed
/// from the log by <see cref="ProjectionRebuilder"/>. Applying must be an upsert so that a replay
/// over rows that already exist gives the same result.
/// </summary>
public interface IProjection
{
    /// <summary>The name the rebuild endpoint uses.</summary>
    string Name { get; }

    /// <summary>Every table this projection owns; a rebuild truncates them, in this order.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>The domain event types this projection applies.</summary>
    IReadOnlySet<Type> Handles { get; }

    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredEvent @event, CancellationToken ct);
}
