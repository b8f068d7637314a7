namespace Integrations.Application.Connectors;

/// <summary>What the runtime knows of one connection for the operator view (every tenant's).</summary>
/// <param name="Status">The connection's status (connected, needs_reauth …), when the connections read model has it.</param>
/// <param name="CircuitState">closed, open or half_open, as a Workers process last reported it.</param>
/// <param name="Calls">HTTP attempts in the last hour, and how many of them failed.</param>
/// <param name="QueueDepth">Calls pending (due, waiting or in flight).</param>
/// <param name="RefreshFailures">Token refreshes that failed in a row, when the connections read model has them.</param>
public sealed record ConnectionHealthFacts(
    Guid ConnectionId, Guid TenantId, string Provider, string? Status, string CircuitState, DateTimeOffset? OpenedAt, DateTimeOffset? OpenUntil,
    int Calls, int FailedCalls, DateTimeOffset? LastSuccessAt, long QueueDepth, long DeadLetters, int RefreshFailures);

/// <summary>The connector runtime's facts about every connection it knows (routes, calls, circuits), across tenants.</summary>
public interface IConnectorHealthReadModel
{
    Task<IReadOnlyList<ConnectionHealthFacts>> ListAsync(CancellationToken ct);
}
