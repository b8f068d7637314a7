using Integrations.Application.Connections;
using Integrations.Application.Connectors.Pipelines.Calls;

namespace Integrations.Application.Connectors;

/// <summary>
/// Where a call goes when its provider names an API base per conversation
/// (<see cref="Domain.Connections.ProviderDefinition.ServiceUrlHosts"/>): a Teams bot posts to the
/// regional service URL its installation in that conversation came from. Asked only for such
/// providers' calls; null sends the call below the connection's base URL as usual.
/// </summary>
public interface ICallServiceUrls
{
    Task<Uri?> BaseUrlAsync(ClaimedCall call, ConnectionAccess access, CancellationToken ct);
}
