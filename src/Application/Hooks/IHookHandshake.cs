namespace Integrations.Application.Hooks;

/// <summary>
/// RESTHooks.org's subscription handshake: POST to the target with <c>X-Hook-Secret</c>; the target
/// confirms by answering 2xx with the same header. Sent under the SSRF rules of webhook deliveries.
/// </summary>
public interface IHookHandshake
{
    /// <returns>Null when the target confirmed; otherwise why not, for the subscriber.</returns>
    Task<string?> ConfirmAsync(string targetUrl, string secret, CancellationToken ct);
}
