using Integrations.Application.Connections;
using Integrations.Domain.Connectors.Registrations;

namespace Integrations.Application.Connectors.Registrations;

/// <summary>
/// A provider's registrations (Jira's dynamic webhooks; later Graph subscriptions, HubSpot and Exact
/// webhooks): what a connection needs, and the provider's API to list, create, renew and remove them.
/// Implemented in Infrastructure/Providers/&lt;Provider&gt;/. Failures are <see cref="ProviderCallException"/>s.
/// </summary>
public interface IProviderRegistrar
{
    string Provider { get; }

    /// <summary>The one kind of registration it keeps per connection (<see cref="WantedRegistration.Kind"/>).</summary>
    string Kind { get; }

    /// <summary>Where the provider posts a connection's notifications, below the public base URL.</summary>
    string InboundPath(Guid tenantId, Guid connectionId);

    /// <summary>What the connection's enabled routes need registered at <paramref name="url"/>; null: nothing.</summary>
    /// <param name="authKind">The connection's (AuthKinds): some providers let only apps register (Jira: OAuth 2.0, not an API token).</param>
    WantedRegistration? Wanted(string authKind, IReadOnlyList<RouteTarget> routes, string url);

    /// <summary>The registration as the provider lists it now; null when it has none with that id.</summary>
    Task<ObservedRegistration?> FindAsync(ConnectionAccess access, string externalId, CancellationToken ct);

    Task<ObservedRegistration> RegisterAsync(ConnectionAccess access, WantedRegistration wanted, CancellationToken ct);

    /// <summary>Extends it; returns its new expiry (null if the provider did not say).</summary>
    Task<DateTimeOffset?> RenewAsync(ConnectionAccess access, string externalId, CancellationToken ct);

    /// <summary>Removes it; one already gone is not an error.</summary>
    Task RemoveAsync(ConnectionAccess access, string externalId, CancellationToken ct);
}

/// <summary>The registrars this platform has, by provider.</summary>
public sealed class ProviderRegistrars(IEnumerable<IProviderRegistrar> registrars)
{
    private readonly Dictionary<string, IProviderRegistrar> _byProvider = registrars.ToDictionary(r => r.Provider, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Providers => _byProvider.Keys;

    public IProviderRegistrar? Find(string provider) => _byProvider.GetValueOrDefault(provider);
}
