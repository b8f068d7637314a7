using System.Net;
using System.Net.Sockets;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using Microsoft.Extensions.Configuration;

namespace Integrations.Infrastructure.Webhooks;

/// <summary>
/// The SSRF guard at registration: <see cref="WebhookUrlPolicy"/> for what can be decided without a
/// network, then the host name is resolved and every address it resolves to must be public. With
/// Webhooks:AllowPrivateNetworkTargets=true (development, tests) only the syntax is checked.
/// </summary>
public sealed class WebhookUrlSafetyChecker(IConfiguration configuration) : IUrlSafetyChecker
{
    public const string AllowPrivateNetworkTargetsSetting = "Webhooks:AllowPrivateNetworkTargets";
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    public async Task<UrlRefusal?> CheckAsync(string url, CancellationToken ct)
    {
        if (WebhookUrlPolicy.CheckSyntax(url, out var uri) is { } invalid) return invalid;
        if (configuration.GetValue<bool>(AllowPrivateNetworkTargetsSetting)) return null;
        if (WebhookUrlPolicy.CheckHost(uri!) is { } unsafeHost) return unsafeHost;
        if (WebhookUrlPolicy.LiteralAddress(uri!) is not null) return null;
        return WebhookUrlPolicy.CheckAddresses(await ResolveAsync(WebhookUrlPolicy.Host(uri!), ct));
    }

    private static async Task<IReadOnlyCollection<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            return await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (SocketException)
        {
            return [];
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return [];
        }
    }
}
