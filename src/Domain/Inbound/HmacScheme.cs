using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Integrations.Domain.Inbound;

public enum TimestampUnit { Seconds, Milliseconds }

/// <summary>
/// An HMAC signature scheme as most providers define one: the header holding it (after an optional
/// prefix such as <c>sha256=</c> or <c>v0=</c>), the algorithm and encoding, and the signed content as
/// a template over <c>{body}</c>, <c>{timestamp}</c>, <c>{method}</c> and <c>{url}</c>. With a timestamp
/// header, requests outside <see cref="Tolerance"/> are refused. Slack, GitHub, Shopify and HubSpot v3
/// are presets (<see cref="ProviderSchemes"/>); tenants' generic sources configure their own.
/// </summary>
/// <param name="EventIdHeader">A header naming the delivery (X-GitHub-Delivery): the replay key.</param>
/// <param name="EventIdPath">A dotted path into a JSON body naming the event (event_id): the replay key.</param>
public sealed record HmacScheme(
    string Header,
    HmacAlgorithm Algorithm,
    SignatureEncoding Encoding,
    string Prefix,
    string Template,
    string? TimestampHeader = null,
    TimestampUnit TimestampUnit = TimestampUnit.Seconds,
    TimeSpan? Tolerance = null,
    string? EventIdHeader = null,
    string? EventIdPath = null)
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Placeholders = ["{body}", "{timestamp}", "{method}", "{url}"];

    /// <summary>Null when the template is usable; else why not.</summary>
    public string? Problem()
    {
        if (!Template.Contains("{body}", StringComparison.Ordinal)) return "The signed-content template must contain {body}.";
        var rest = Template;
        foreach (var placeholder in Placeholders) rest = rest.Replace(placeholder, "", StringComparison.Ordinal);
        if (rest.Contains('{') || rest.Contains('}')) return "The signed-content template knows only {body}, {timestamp}, {method} and {url}.";
        if (Template.Contains("{timestamp}", StringComparison.Ordinal) && TimestampHeader is null) return "{timestamp} needs a timestamp header.";
        return null;
    }

    public byte[] SignedContent(InboundRequest request, string? timestamp)
    {
        var content = new MemoryStream(request.Body.Length + 128);
        var rest = Template.AsSpan();
        while (rest.Length > 0)
        {
            var open = rest.IndexOf('{');
            if (open < 0) { Write(content, rest); break; }
            Write(content, rest[..open]);
            rest = rest[open..];
            if (rest.StartsWith("{body}")) { content.Write(request.Body); rest = rest["{body}".Length..]; }
            else if (rest.StartsWith("{timestamp}")) { Write(content, timestamp ?? ""); rest = rest["{timestamp}".Length..]; }
            else if (rest.StartsWith("{method}")) { Write(content, request.Method); rest = rest["{method}".Length..]; }
            else if (rest.StartsWith("{url}")) { Write(content, request.Url); rest = rest["{url}".Length..]; }
            else { Write(content, rest[..1]); rest = rest[1..]; }
        }
        return content.ToArray();

        static void Write(MemoryStream to, ReadOnlySpan<char> text) => to.Write(System.Text.Encoding.UTF8.GetBytes(text.ToArray()));
    }
}

/// <summary>Verifies requests signed with an <see cref="HmacScheme"/> under one secret.</summary>
public sealed class HmacVerifier(HmacScheme scheme, byte[] key) : IInboundVerifier
{
    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        if (request.Header(scheme.Header) is not { Length: > 0 } header) return Verification.Reject(RejectionReasons.MissingSignature);
        string? timestamp = null;
        if (scheme.TimestampHeader is { } timestampHeader)
        {
            timestamp = request.Header(timestampHeader);
            if (timestamp is null) return Verification.Reject(RejectionReasons.MissingSignature);
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return Verification.Reject(RejectionReasons.MalformedSignature);
            var sent = scheme.TimestampUnit == TimestampUnit.Milliseconds ? value / 1000.0 : value;
            if (Math.Abs(now.ToUnixTimeMilliseconds() / 1000.0 - sent) > (scheme.Tolerance ?? HmacScheme.DefaultTolerance).TotalSeconds)
                return Verification.Reject(RejectionReasons.StaleTimestamp);
        }
        if (!header.StartsWith(scheme.Prefix, StringComparison.Ordinal)) return Verification.Reject(RejectionReasons.MalformedSignature);
        if (SignatureMath.Decode(header[scheme.Prefix.Length..].Trim(), scheme.Encoding) is not { } sent64) return Verification.Reject(RejectionReasons.MalformedSignature);
        var expected = SignatureMath.Hmac(scheme.Algorithm, key, scheme.SignedContent(request, timestamp));
        if (!SignatureMath.Equal(sent64, expected)) return Verification.Reject(RejectionReasons.InvalidSignature);

        string[] signed = scheme.TimestampHeader is { } t ? [scheme.Header, t] : [scheme.Header];
        if (scheme.EventIdHeader is { } idHeader && request.Header(idHeader) is { Length: > 0 } id) return Verification.Accept(id, [.. signed, idHeader]);
        if (scheme.EventIdPath is { } path && BodyPath.String(request.Body, path) is { Length: > 0 } bodyId) return Verification.Accept(bodyId, signed);
        return Verification.Accept(timestamp is null ? null : SignatureMath.SignatureKey(timestamp, header), signed);
    }
}

/// <summary>
/// Reads a string (or number) at a dotted path of a JSON body (a number step indexes an array:
/// <c>0.portalId</c>), or, for a body that is not JSON, the form field of that name (Slack's slash
/// commands are form-encoded). Null when there is none.
/// </summary>
public static class BodyPath
{
    public static string? String(byte[] body, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return FormField(body, path);
        }
        using (document)
        {
            var current = document.RootElement;
            foreach (var step in path.Split('.'))
            {
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(step, out var property)) current = property;
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                         && index < current.GetArrayLength()) current = current[index];
                else return null;
            }
            return current.ValueKind switch
            {
                JsonValueKind.String => current.GetString(),
                JsonValueKind.Number => current.GetRawText(),
                _ => null,
            };
        }
    }

    private static string? FormField(byte[] body, string name)
    {
        if (name.Contains('.')) return null;
        foreach (var pair in System.Text.Encoding.UTF8.GetString(body).Split('&'))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) continue;
            if (Unescape(pair[..equals]) == name) return Unescape(pair[(equals + 1)..]);
        }
        return null;

        static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}
