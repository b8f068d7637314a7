using System.Text.Json;

namespace Integrations.Domain.Inbound;

/// <summary>
/// A request an external system sent us, as the verifiers see it: the raw body bytes (never
/// re-serialised: signatures cover the bytes), the headers by case-insensitive name, and the URL as
/// the sender called it (HubSpot v3 signs it).
/// </summary>
public sealed record InboundRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as JSON; null when it is not JSON.</summary>
    public JsonElement? JsonBody()
    {
        try
        {
            return JsonDocument.Parse(Body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Why a request was refused; stable wire values (the rejection counters and the inbound log name them).</summary>
public static class RejectionReasons
{
    public const string MissingSignature = "missing_signature";
    public const string InvalidSignature = "invalid_signature";
    public const string StaleTimestamp = "stale_timestamp";
    public const string MalformedSignature = "malformed_signature";
    public const string MalformedBody = "malformed_body";
}

/// <summary>
/// The outcome of verifying one request. <see cref="ReplayKey"/> is what replay protection dedupes
/// on: the sender's event or delivery id where it sends one, else (for timestamped schemes) the
/// signature itself, which a replay within the tolerance repeats; null when neither exists.
/// <see cref="SignedHeaders"/> are the headers the check read, the only ones kept with the request.
/// </summary>
public sealed record Verification(bool Verified, string? Reason, string? ReplayKey, IReadOnlyList<string> SignedHeaders)
{
    public static Verification Accept(string? replayKey, params string[] signedHeaders) => new(true, null, replayKey, signedHeaders);

    public static Verification Reject(string reason) => new(false, reason, null, []);
}

/// <summary>One provider's (or source's) way of proving a request came from it. Pure: no clock, no I/O.</summary>
public interface IInboundVerifier
{
    Verification Verify(InboundRequest request, DateTimeOffset now);
}
