using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// The sign step: the body of a claimed delivery (<see cref="WebhookPayload"/>) and its Standard
/// Webhooks signature under every secret still signing at send time.
/// <para>
/// Secrets are decrypted once per ten minutes, not once per delivery: the signing keys are kept in
/// memory by their encrypted value, which is unique to one secret (a random nonce per encryption), so
/// a rotated secret is a new entry and never meets a stale one, and which secrets still sign is decided
/// per delivery from their expiry as before. Bounded (10,000 keys, then emptied) and never written
/// anywhere; the keys are what signing needs in memory anyway.
/// </para>
/// </summary>
public sealed class DeliverySigner(ISecretProtector protector)
{
    private const int MaxKeys = 10_000;
    private static readonly long KeyLifetimeMs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;

    private readonly ConcurrentDictionary<string, (byte[] Key, long DecryptedAt)> _keys = new(StringComparer.Ordinal);

    /// <summary>The signed request; null when the stored URL is not one the policy accepts at all.</summary>
    public WebhookRequest? Sign(ClaimedDelivery delivery)
    {
        if (WebhookUrlPolicy.CheckSyntax(delivery.Url, out var url) is not null) return null;
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds();
        var body = WebhookPayload.Body(delivery.EventId, delivery.EventType, delivery.EventTimestamp, delivery.Data, delivery.DeliveryId, delivery.EndpointId);
        // The secrets still signing at send time (as WebhookEndpointState.SigningSecrets).
        var keys = delivery.Secrets
            .Where(s => s.ExpiresAt is null || s.ExpiresAt > now)
            .Select(s => KeyOf(s.ProtectedSecret));
        var signature = WebhookSignature.Header(delivery.DeliveryId.ToString(), timestamp, body, keys);
        return new WebhookRequest(url!, delivery.DeliveryId, timestamp, signature, body);
    }

    /// <summary>How many signing keys are held decrypted (for tests and diagnostics).</summary>
    public int KeysHeld => _keys.Count;

    private byte[] KeyOf(string protectedSecret)
    {
        var now = Environment.TickCount64;
        if (_keys.TryGetValue(protectedSecret, out var held) && now - held.DecryptedAt < KeyLifetimeMs) return held.Key;
        var key = WebhookSignature.SecretKey(protector.Unprotect(protectedSecret));
        if (_keys.Count >= MaxKeys) _keys.Clear();
        _keys[protectedSecret] = (key, now);
        return key;
    }
}
