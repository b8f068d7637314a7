using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Notifications;
using Integrations.Domain.Connectors.Registrations;
using Integrations.Domain.Notifications;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Registrations;

/// <summary>
/// One check of a connection's registration (ADR 0028), claimed beforehand: what its routes need
/// (<see cref="IProviderRegistrar.Wanted"/>), what the provider lists, and the step
/// <see cref="RegistrationPlan"/> decides — keep, register (again, when it is gone), renew before it
/// expires, replace, remove. The result is stored with the lease released; failures in a row open a
/// <see cref="IncidentKinds.RegistrationFailing"/> incident for the tenant, the next success resolves it.
/// A connection that cannot be used (needs re-authorisation …) is not an incident of its own: the
/// connection's incident says so already.
/// </summary>
public sealed class RegistrationChecker(
    ProviderRegistrars registrars,
    IProviderRegistrations registrations,
    IConnectionReadModel connections,
    IConnectionAccess access,
    IRouteReadModel routes,
    IUnitOfWork unitOfWork,
    IncidentLog incidents,
    RegistrationOptions options,
    IClock clock,
    ILogger<RegistrationChecker> logger)
{
    /// <param name="publicBaseUrl">Where the platform's inbound URLs are reachable; null: nothing can be registered.</param>
    /// <returns>The registration as stored after the check; null when there is nothing (any more) to keep.</returns>
    public async Task<RegistrationRecord?> CheckAsync(RegistrationRecord claimed, string? publicBaseUrl, CancellationToken ct)
    {
        var registrar = registrars.Find(claimed.Provider);
        var connection = await connections.FindAsync(claimed.TenantId, claimed.ConnectionId, ct);
        if (registrar is null || connection is null || connection.Provider != claimed.Provider)
        {
            await registrations.ForgetAsync(claimed.TenantId, claimed.ConnectionId, claimed.Kind, ct);
            return null;
        }

        var wanted = registrar.Wanted(connection.AuthKind, [.. (await routes.FindEnabledAsync([claimed.TenantId], ct)).Where(r => r.ConnectionId == claimed.ConnectionId)],
            (publicBaseUrl ?? "").TrimEnd('/') + registrar.InboundPath(claimed.TenantId, claimed.ConnectionId));
        // The operator has not said where the platform is reachable: the provider could not reach us.
        if (wanted is not null && publicBaseUrl is null) return await FailedAsync(claimed, "no_public_url", notify: true, ct);
        if (wanted is null && claimed.ExternalId is null)
        {
            // Nothing to keep: the row stays (idle) so the sweep does not track the connection anew each pass; a route change makes it due.
            var now = clock.UtcNow;
            await registrations.SaveAsync(claimed with
            {
                Status = RegistrationStatuses.Idle, Fingerprint = null, LastCheckedAt = now, NextCheckAt = now + options.CheckEvery, FailuresInARow = 0,
                LastError = null,
            }, ct);
            return null;
        }

        ConnectionAccess current;
        try
        {
            current = await access.GetAsync(claimed.TenantId, claimed.ConnectionId, ct);
        }
        catch (ConnectionUnusableException unusable)
        {
            return await FailedAsync(claimed, unusable.Status, notify: false, ct);
        }

        try
        {
            return await ApplyAsync(claimed, registrar, wanted, current, ct);
        }
        catch (ProviderCallException failure)
        {
            logger.LogWarning("The {Kind} registration of connection {ConnectionId} could not be checked: {Error}", claimed.Kind, claimed.ConnectionId, failure.Error);
            return await FailedAsync(claimed, failure.Error, notify: true, ct);
        }
        catch (ConnectionUnusableException unusable)
        {
            return await FailedAsync(claimed, unusable.Status, notify: false, ct);
        }
    }

    private async Task<RegistrationRecord?> ApplyAsync(RegistrationRecord claimed, IProviderRegistrar registrar, WantedRegistration? wanted,
        ConnectionAccess current, CancellationToken ct)
    {
        var calls = new RenewingCalls(access, current);
        var observed = claimed.ExternalId is { } id ? await calls.RunAsync((a, token) => registrar.FindAsync(a, id, token), ct) : null;
        var now = clock.UtcNow;
        var step = RegistrationPlan.Decide(wanted, new KeptRegistration(claimed.ExternalId, claimed.Fingerprint, claimed.ExpiresAt), observed, now,
            options.RenewWithin);
        switch (step)
        {
            case RegistrationStep.Keep:
                return await SucceededAsync(claimed with { ExpiresAt = observed!.ExpiresAt }, now, ct);
            case RegistrationStep.Renew:
                var renewed = await calls.RunAsync((a, token) => registrar.RenewAsync(a, observed!.ExternalId, token), ct);
                return await SucceededAsync(claimed with { ExpiresAt = renewed ?? observed!.ExpiresAt }, now, ct);
            case RegistrationStep.Replace:
                await calls.RunAsync(async (a, token) =>
                {
                    await registrar.RemoveAsync(a, observed!.ExternalId, token);
                    return true;
                }, ct);
                return await RegisteredAsync(claimed, wanted!, await calls.RunAsync((a, token) => registrar.RegisterAsync(a, wanted!, token), ct), now, ct);
            case RegistrationStep.Register:
                if (claimed.ExternalId is not null)
                    logger.LogWarning("The {Kind} registration {ExternalId} of connection {ConnectionId} is gone at the provider; registering it again",
                        claimed.Kind, claimed.ExternalId, claimed.ConnectionId);
                return await RegisteredAsync(claimed, wanted!, await calls.RunAsync((a, token) => registrar.RegisterAsync(a, wanted!, token), ct), now, ct);
            case RegistrationStep.Remove:
                await calls.RunAsync(async (a, token) =>
                {
                    await registrar.RemoveAsync(a, observed!.ExternalId, token);
                    return true;
                }, ct);
                break;
        }
        var idle = claimed with
        {
            Status = RegistrationStatuses.Idle, ExternalId = null, Fingerprint = null, ExpiresAt = null, LastCheckedAt = now, FailuresInARow = 0,
            LastError = null, NextCheckAt = now + options.CheckEvery,
        };
        await unitOfWork.ExecuteAsync(async token =>
        {
            await registrations.SaveAsync(idle, token);
            return await ResolveAsync(claimed, token);
        }, ct);
        return null;
    }

    private Task<RegistrationRecord> RegisteredAsync(RegistrationRecord claimed, WantedRegistration wanted, ObservedRegistration made, DateTimeOffset now,
        CancellationToken ct) =>
        SucceededAsync(claimed with
        {
            ExternalId = made.ExternalId, Fingerprint = wanted.Fingerprint, Url = wanted.Url, Events = wanted.Events, Filter = wanted.Filter,
            ExpiresAt = made.ExpiresAt, RegisteredAt = now,
        }, now, ct);

    private async Task<RegistrationRecord> SucceededAsync(RegistrationRecord record, DateTimeOffset now, CancellationToken ct)
    {
        var saved = record with
        {
            Status = RegistrationStatuses.Active, LastCheckedAt = now, FailuresInARow = 0, LastError = null,
            NextCheckAt = RegistrationPlan.NextCheck(now, record.ExpiresAt, options.CheckEvery, options.RenewWithin),
        };
        await unitOfWork.ExecuteAsync(async token =>
        {
            await registrations.SaveAsync(saved, token);
            return await ResolveAsync(saved, token);
        }, ct);
        return saved;
    }

    private async Task<RegistrationRecord> FailedAsync(RegistrationRecord claimed, string error, bool notify, CancellationToken ct)
    {
        var now = clock.UtcNow;
        var failures = claimed.FailuresInARow + 1;
        var saved = claimed with
        {
            Status = RegistrationStatuses.Failing, LastCheckedAt = now, FailuresInARow = failures, LastError = error,
            NextCheckAt = RegistrationPlan.RetryAt(now, failures, options.FirstRetry, options.CheckEvery),
        };
        await unitOfWork.ExecuteAsync(async token =>
        {
            await registrations.SaveAsync(saved, token);
            return notify && failures >= options.FailuresBeforeNotice
                ? await incidents.OpenAsync(saved.TenantId, IncidentKinds.RegistrationFailing, saved.ConnectionId,
                    $"The {saved.Provider} connection's webhook registration cannot be kept up.",
                    $"{failures} checks in a row failed; the last one: {error}. Until it works, changes at {saved.Provider} do not reach the platform.", token)
                : IncidentChange.None;
        }, ct);
        return saved;
    }

    private Task<IncidentChange> ResolveAsync(RegistrationRecord record, CancellationToken ct) =>
        incidents.ResolveAsync(record.TenantId, IncidentKinds.RegistrationFailing, record.ConnectionId,
            $"The {record.Provider} connection's webhook registration works again.", ct);

    /// <summary>Provider calls with the connection's credentials, renewed once after a 401 (as the runtime does for calls); an API key cannot be renewed (ConnectionUnusableException).</summary>
    private sealed class RenewingCalls(IConnectionAccess access, ConnectionAccess current)
    {
        private bool _renewed;

        public async Task<T> RunAsync<T>(Func<ConnectionAccess, CancellationToken, Task<T>> call, CancellationToken ct)
        {
            try
            {
                return await call(current, ct);
            }
            catch (ProviderCallException e) when (e.Unauthorized && !_renewed)
            {
                _renewed = true;
                current = await access.RenewAsync(current, ct);
                return await call(current, ct);
            }
        }
    }
}
