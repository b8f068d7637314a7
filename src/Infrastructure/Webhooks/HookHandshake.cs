using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Hooks;
using Integrations.Infrastructure.Http;
using Microsoft.Extensions.Configuration;

namespace Integrations.Infrastructure.Webhooks;

/// <summary>
/// The X-Hook-Secret handshake (<see cref="IHookHandshake"/>) on a client of the one outbound HTTP
/// factory: the SSRF rules at connect time, no redirects, no proxy. The secret sent is the hook's
/// signing secret, which the target needs to verify deliveries; the echo is compared in constant time.
/// </summary>
public sealed class HookHandshake : IHookHandshake, IDisposable
{
    public const string Header = "X-Hook-Secret";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;

    public HookHandshake(IConfiguration configuration) =>
        _client = OutboundHttp.CreateClient(() => configuration.GetValue<bool>(WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting), Timeout);

    public async Task<string?> ConfirmAsync(string targetUrl, string secret, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, targetUrl) { Content = new StringContent("{}", Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("User-Agent", Delivery.WebhookSender.UserAgent);
            request.Headers.TryAddWithoutValidation(Header, secret);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode) return $"the target answered {(int)response.StatusCode}";
            var echoed = response.Headers.TryGetValues(Header, out var values) ? values.FirstOrDefault() : null;
            if (echoed is null) return $"the target's answer has no {Header} header";
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(echoed)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)))
                ? null
                : $"the target's {Header} is not the one sent";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"the target did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            return OutboundHttp.Classify(ex) == OutboundFailure.SsrfBlocked
                ? "the target's address is not allowed (SSRF rules)"
                : "the target could not be reached";
        }
    }

    public void Dispose() => _client.Dispose();
}
