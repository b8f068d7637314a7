using System.Net;
using System.Net.Sockets;
using Integrations.Domain.Webhooks;

namespace Integrations.Infrastructure.Http;

/// <summary>
/// The SSRF guard at connection time, for every request to a URL a tenant gave us (webhook
/// endpoints, a connection's own API and token endpoint): a <see cref="SocketsHttpHandler.ConnectCallback"/>
/// that resolves the name itself, refuses the target if any of its addresses is not public
/// (<see cref="NetworkAddressPolicy"/> through <see cref="WebhookUrlPolicy"/>, the rule registration applies), and connects
/// to the address it checked, so DNS cannot change the answer between the check and the connection
/// (rebinding). With <c>allowPrivateNetworkTargets</c> (development, tests) only resolution remains.
/// </summary>
public static class GuardedConnection
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Callback(Func<bool> allowPrivateNetworkTargets) =>
        (context, ct) => ConnectAsync(context, !allowPrivateNetworkTargets(), ct);

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool guard, CancellationToken ct)
    {
        var addresses = await ResolveAsync(context, guard, ct);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<IReadOnlyList<IPAddress>> ResolveAsync(SocketsHttpConnectionContext context, bool guard, CancellationToken ct)
    {
        var uri = context.InitialRequestMessage.RequestUri!;
        if (guard && WebhookUrlPolicy.CheckHost(uri) is { } unsafeHost) throw new SsrfBlockedException(unsafeHost.Message);

        IReadOnlyList<IPAddress> addresses;
        if (WebhookUrlPolicy.LiteralAddress(uri) is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            }
            catch (SocketException ex)
            {
                throw new DnsResolutionException(ex);
            }
        }
        if (guard && WebhookUrlPolicy.CheckAddresses(addresses.ToList()) is { } refusal) throw new SsrfBlockedException(refusal.Message);
        if (addresses.Count == 0) throw new DnsResolutionException(new SocketException((int)SocketError.HostNotFound));
        return addresses;
    }
}

/// <summary>The target resolved to an address the SSRF rules refuse; nothing was sent.</summary>
public sealed class SsrfBlockedException(string message) : Exception(message);

/// <summary>The target's host name did not resolve.</summary>
public sealed class DnsResolutionException(SocketException inner) : Exception("The host name did not resolve.", inner);
