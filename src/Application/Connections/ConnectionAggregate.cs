using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>
/// Runs commands against a tenant's connection stream under the connection's lock (<see cref="IConnectionLock"/>):
/// another tenant's or a deleted connection is "not found". Every write to a connection goes
/// through here, inside a unit of work.
/// </summary>
public sealed class ConnectionAggregate(AggregateStore aggregates, IConnectionLock connectionLock)
{
    public static NotFoundException NotFound() => new("connection_not_found", "No such connection.");

    /// <summary>The connection's state as committed now, without its lock (for reads that decide nothing).</summary>
    public async Task<ConnectionState> ReadAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        var state = (await aggregates.LoadAsync(ConnectionDecider.Decider, ConnectionDecider.StreamId(connectionId), tenantId, ct)).State;
        return state.Exists && state.TenantId == tenantId ? state : throw NotFound();
    }

    /// <summary>The connection's state, read under its lock: the latest, and it stays so until the unit of work ends.</summary>
    public async Task<ConnectionState> LockAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        (await LockedAsync(tenantId, connectionId, ct)).State;

    /// <summary>Decides <paramref name="command"/> on the connection under its lock and appends what it decides.</summary>
    public async Task<Decided<ConnectionState, IConnectionEvent>> HandleAsync(Guid tenantId, Guid connectionId, ConnectionCommand command, CancellationToken ct)
    {
        var streamId = ConnectionDecider.StreamId(connectionId);
        var loaded = await LockedAsync(tenantId, connectionId, ct);
        return (await aggregates.HandleAsync(ConnectionDecider.Decider, [new StreamCommands<ConnectionCommand>(streamId, tenantId, [command])], ct,
            new Dictionary<string, Loaded<ConnectionState>> { [streamId] = loaded }))[0];
    }

    /// <summary>Starts the stream of a connection whose id was just generated.</summary>
    public Task<Decided<ConnectionState, IConnectionEvent>> StartAsync(CreateConnection command, CancellationToken ct) =>
        aggregates.StartAsync(ConnectionDecider.Decider, ConnectionDecider.StreamId(command.ConnectionId), (ConnectionCommand)command, command.TenantId, ct);

    private async Task<Loaded<ConnectionState>> LockedAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        await connectionLock.AcquireAsync(connectionId, ct);
        var loaded = await aggregates.LoadAsync(ConnectionDecider.Decider, ConnectionDecider.StreamId(connectionId), tenantId, ct);
        // A 403 would confirm that the id exists in another tenant (ADR 0005).
        return loaded.State.Exists && loaded.State.TenantId == tenantId ? loaded : throw NotFound();
    }
}
