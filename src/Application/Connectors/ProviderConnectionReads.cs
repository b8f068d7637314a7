using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connections;

namespace Integrations.Application.Connectors;

/// <summary>
/// A read at the provider made for an API request on one of the tenant's connections (a route
/// editor's picker: Slack's channels, Jira's projects): the connection must be the provider's, its
/// credentials usable, and a token the provider no longer accepts is renewed once, as the runtime
/// does for calls.
/// </summary>
public sealed class ProviderConnectionReads(IConnectionReadModel connections, IConnectionAccess access)
{
    /// <param name="what">What is read, for the refusal's message (channels, projects).</param>
    /// <exception cref="ConflictException"><c>not_a_{provider}_connection</c>.</exception>
    public async Task<T> ReadAsync<T>(Guid tenantId, Guid connectionId, string provider, string providerName, string what,
        Func<ConnectionAccess, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var connection = await connections.FindAsync(tenantId, connectionId, ct) ?? throw ConnectionAggregate.NotFound();
        if (connection.Provider != provider)
            throw new ConflictException($"not_a_{provider}_connection", $"The connection is to {connection.Provider}; {what} are listed for {providerName} connections.");
        var current = await access.GetAsync(tenantId, connectionId, ct);
        try
        {
            return await read(current, ct);
        }
        catch (ProviderCallException e) when (e.Unauthorized)
        {
            return await read(await access.RenewAsync(current, ct), ct);
        }
    }
}
