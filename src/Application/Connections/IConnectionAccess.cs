using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>
/// What a call to the provider sends to prove who we are: headers (Authorization, an API key
/// header…) and query parameters. Secret: it is never logged, serialized or put in an exception;
/// <see cref="ToString"/> says which headers, not what they hold.
/// </summary>
public sealed class CallCredentials(IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string>? query = null)
{
    public static readonly CallCredentials None = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public IReadOnlyDictionary<string, string> Query { get; } = query ?? new Dictionary<string, string>();

    public override string ToString() => $"CallCredentials(headers: {string.Join(", ", Headers.Keys)}; query: {string.Join(", ", Query.Keys)})";
}

/// <summary>Everything a connector call needs about its connection, with credentials fresh enough to use now.</summary>
/// <param name="BaseUrl">The provider's API base, or the connection's own for the generic http provider.</param>
/// <param name="CredentialVersion">The vault record the credentials come from (a 401 answer refreshes past it).</param>
public sealed record ConnectionAccess(
    Guid ConnectionId,
    Guid TenantId,
    ProviderDefinition Provider,
    string ExternalAccountId,
    Uri BaseUrl,
    int CredentialVersion,
    CallCredentials Credentials);

/// <summary>
/// The connector runtime's way to its connections' credentials. Refreshes OAuth tokens due within
/// the provider's expiry buffer before returning them, one refresh at a time per connection across
/// every API and Workers instance (a database lock), storing a rotated refresh token before the new
/// access token is used.
/// </summary>
public interface IConnectionAccess
{
    /// <exception cref="Common.Exceptions.NotFoundException">No such connection in this tenant.</exception>
    /// <exception cref="ConnectionUnusableException">It cannot be used now: pending, needs re-authorisation, revoked, deleted, or its refresh is cooling down.</exception>
    Task<ConnectionAccess> GetAsync(Guid tenantId, Guid connectionId, CancellationToken ct);

    /// <summary>
    /// The provider answered 401 to credentials of <paramref name="rejected"/>: refresh now (once,
    /// whoever else asks meanwhile) unless a newer version is already stored, and return it.
    /// </summary>
    /// <exception cref="ConnectionUnusableException">No refresh is possible (API keys, a refused refresh token).</exception>
    Task<ConnectionAccess> RenewAsync(ConnectionAccess rejected, CancellationToken ct);
}

/// <param name="Status">The connection's status (needs_reauth, pending …), or "cooling_down".</param>
public sealed class ConnectionUnusableException(Guid connectionId, string status, string message) : Exception(message)
{
    public Guid ConnectionId { get; } = connectionId;

    public string Status { get; } = status;
}
