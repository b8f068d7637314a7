using Integrations.Application.Common.Interfaces;
using Integrations.Application.Notifications;
using Integrations.Domain.Connections;
using Integrations.Domain.Notifications;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections;

/// <param name="Succeeded">Null: not checked (the connection cannot be used now, or its provider has no health check).</param>
/// <param name="Error">Why it failed or was not checked: the provider's error (http_500, timeout …), account_changed, or the connection's status.</param>
public sealed record HealthCheckResult(bool? Succeeded, string? Error, ConnectionState State, ExternalAccount? Account, DateTimeOffset CheckedAt);

/// <summary>
/// A connection's health check: the provider's check call with fresh credentials (a 401 renews
/// them once), the account it answers compared with the connection's, and the result recorded:
/// <see cref="ConnectionHealthCheckSettings.DisconnectAfter"/> failures in a row disconnect the
/// connection and open an incident, the next success restores it and resolves the incident.
/// </summary>
public sealed class ConnectionHealthChecker(
    IUnitOfWork unitOfWork,
    IConnectionAccess access,
    IProviderClient providers,
    ConnectionAggregate connections,
    IConnectionHealthSchedule schedule,
    IncidentLog incidents,
    ConnectionsOptions options,
    IClock clock,
    ILogger<ConnectionHealthChecker> logger)
{
    public async Task<HealthCheckResult> CheckAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        ConnectionAccess current;
        try
        {
            current = await access.GetAsync(tenantId, connectionId, ct);
        }
        catch (ConnectionUnusableException unusable)
        {
            return new HealthCheckResult(null, unusable.Status, await StateAsync(tenantId, connectionId, ct), null, clock.UtcNow);
        }
        var state = await StateAsync(tenantId, connectionId, ct);
        if (ConnectionEndpoints.HealthCheck(current.Provider, state.Settings) is null)
            return new HealthCheckResult(null, "no_health_check", state, null, clock.UtcNow);
        return await RecordAsync(tenantId, connectionId, await CallAsync(current, state, ct), ct);
    }

    private async Task<(bool? Succeeded, string? Error, ExternalAccount? Account)> CallAsync(ConnectionAccess current, ConnectionState state, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await providers.CheckAsync(current.Provider, state.Settings, current.Credentials, ct);
                return answer.Account.Id == current.ExternalAccountId ? (true, null, answer.Account) : (false, "account_changed", answer.Account);
            }
            catch (ProviderCallException failure) when (failure.Unauthorized && attempt == 1 && AuthKinds.IsOAuth(state.AuthKind))
            {
                try
                {
                    current = await access.RenewAsync(current, ct);
                }
                catch (ConnectionUnusableException unusable)
                {
                    return (false, unusable.Status, null);
                }
            }
            catch (ProviderCallException failure)
            {
                return (false, failure.Error, null);
            }
        }
    }

    private Task<ConnectionState> StateAsync(Guid tenantId, Guid connectionId, CancellationToken ct) => connections.ReadAsync(tenantId, connectionId, ct);

    private async Task<HealthCheckResult> RecordAsync(Guid tenantId, Guid connectionId, (bool? Succeeded, string? Error, ExternalAccount? Account) call,
        CancellationToken ct)
    {
        var now = clock.UtcNow;
        var state = await unitOfWork.ExecuteAsync(async token =>
        {
            if (call.Succeeded is not { } succeeded) return await connections.LockAsync(tenantId, connectionId, token);
            var decided = await connections.HandleAsync(tenantId, connectionId,
                new RecordHealthCheck(succeeded, call.Error, options.HealthCheck.DisconnectAfter, now), token);
            await schedule.RecordAsync(tenantId, connectionId, now, succeeded, token);
            foreach (var @event in decided.Events)
            {
                switch (@event)
                {
                    case ConnectionDisconnected { Reason: DisconnectReasons.HealthCheck } e:
                        logger.LogWarning("Connection {ConnectionId} ({Provider}) is disconnected: its health check failed {Failures} times in a row ({Error})",
                            connectionId, decided.State.Provider, options.HealthCheck.DisconnectAfter, call.Error);
                        await incidents.OpenAsync(tenantId, IncidentKinds.ConnectionDisconnected, connectionId,
                            $"The {decided.State.Provider} connection is disconnected: its health check failed {options.HealthCheck.DisconnectAfter} times in a row.",
                            $"Last error: {e.Detail}. Calls through it wait until it works again; check the account at the provider, or reconnect it.", token);
                        break;
                    case HealthRestored:
                        await incidents.ResolveAsync(tenantId, IncidentKinds.ConnectionDisconnected, connectionId,
                            $"The {decided.State.Provider} connection works again.", token);
                        break;
                }
            }
            return decided.State;
        }, ct);
        return new HealthCheckResult(call.Succeeded, call.Error, state, call.Account, now);
    }
}
