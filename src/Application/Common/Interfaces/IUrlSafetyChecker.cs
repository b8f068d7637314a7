using Integrations.Domain.Webhooks;

namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// Decides whether the platform may send requests to a URL a tenant gave it (the SSRF guard at
/// registration): syntax, literal addresses, internal names, and the addresses the name resolves to.
/// </summary>
public interface IUrlSafetyChecker
{
    /// <returns>Null when the URL is acceptable, otherwise why not.</returns>
    Task<UrlRefusal?> CheckAsync(string url, CancellationToken ct);
}
