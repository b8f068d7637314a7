namespace Integrations.Application.Connectors;

/// <summary>What the runtime keeps per connection beside its calls: its circuit as last reported, its open incidents, its dead letters.</summary>
/// <param name="CircuitState">closed, open or half_open (closed when nothing was ever reported).</param>
/// <param name="OpenedAt">When the current outage began, while the circuit is not closed.</param>
public sealed record ConnectionRuntimeFacts(
    Guid ConnectionId, string CircuitState, DateTimeOffset? OpenedAt, bool BreakerIncidentOpen, bool DeadLetterIncidentOpen, long DeadLetters)
{
    /// <summary>A "calls wait for the provider's quota" incident is open (a used-up day, ADR 0031).</summary>
    public bool QuotaIncidentOpen { get; init; }
}

/// <summary>The connector_connection_state rows and the dead-letter counts of connections.</summary>
public interface IConnectorConnectionStates
{
    /// <summary>The facts of these connections (those never reported have a closed circuit and no incident).</summary>
    Task<IReadOnlyList<ConnectionRuntimeFacts>> ReadAsync(IReadOnlyCollection<Guid> connectionIds, CancellationToken ct);

    /// <summary>Records which incidents the runtime has open for the connection (null: unchanged).</summary>
    Task SetIncidentsAsync(Guid connectionId, Guid tenantId, string provider, bool? breakerIncidentOpen, bool? deadLetterIncidentOpen, CancellationToken ct);

    /// <summary>Records whether the runtime has the connection's quota incident open.</summary>
    Task SetQuotaIncidentAsync(Guid connectionId, Guid tenantId, string provider, bool open, CancellationToken ct);
}
