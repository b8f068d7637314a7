namespace Integrations.Domain.Inbound;

/// <summary>The providers' documented HMAC schemes as <see cref="HmacScheme"/> presets.</summary>
public static class ProviderSchemes
{
    /// <summary>Slack: <c>X-Slack-Signature: v0=</c> hex HMAC-SHA256 of <c>v0:{timestamp}:{body}</c>, 5 minutes (api.slack.com, "Verifying requests from Slack").</summary>
    public static readonly HmacScheme Slack = new("X-Slack-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "v0=", "v0:{timestamp}:{body}",
        "X-Slack-Request-Timestamp", TimestampUnit.Seconds, TimeSpan.FromMinutes(5), EventIdPath: "event_id");

    /// <summary>GitHub: <c>X-Hub-Signature-256: sha256=</c> hex HMAC-SHA256 of the body; <c>X-GitHub-Delivery</c> names the delivery.</summary>
    public static readonly HmacScheme GitHub = new("X-Hub-Signature-256", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "sha256=", "{body}",
        EventIdHeader: "X-GitHub-Delivery");

    /// <summary>
    /// Jira Cloud (developer.atlassian.com, "Webhooks — secure admin webhooks"): <c>X-Hub-Signature: sha256=</c>
    /// hex HMAC-SHA256 of the body (the WebSub form); <c>X-Atlassian-Webhook-Identifier</c> names the
    /// delivery and stays the same on Jira's retries. No timestamp is signed.
    /// </summary>
    public static readonly HmacScheme Jira = new("X-Hub-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "sha256=", "{body}",
        EventIdHeader: "X-Atlassian-Webhook-Identifier");

    /// <summary>Shopify: <c>X-Shopify-Hmac-Sha256</c>, base64 HMAC-SHA256 of the body; <c>X-Shopify-Webhook-Id</c> names the delivery.</summary>
    public static readonly HmacScheme Shopify = new("X-Shopify-Hmac-Sha256", HmacAlgorithm.Sha256, SignatureEncoding.Base64, "", "{body}",
        EventIdHeader: "X-Shopify-Webhook-Id");

    /// <summary>
    /// HubSpot v3: <c>X-HubSpot-Signature-v3</c>, base64 HMAC-SHA256 of method + URI + body + timestamp
    /// (<c>X-HubSpot-Request-Timestamp</c>, milliseconds), refused after 5 minutes. The URI is the one
    /// HubSpot called, with the characters HubSpot decodes decoded (<see cref="HubSpotVerifier"/>).
    /// </summary>
    public static readonly HmacScheme HubSpotV3 = new("X-HubSpot-Signature-v3", HmacAlgorithm.Sha256, SignatureEncoding.Base64, "", "{method}{url}{body}{timestamp}",
        "X-HubSpot-Request-Timestamp", TimestampUnit.Milliseconds, TimeSpan.FromMinutes(5));
}

/// <summary>HubSpot v3: decodes in the URI the characters HubSpot's documentation lists before the HMAC check.</summary>
public sealed class HubSpotVerifier(byte[] clientSecret) : IInboundVerifier
{
    private static readonly (string Encoded, string Decoded)[] Decoded =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"), ("%27", "'"), ("%28", "("), ("%29", ")"),
        ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    private readonly HmacVerifier _hmac = new(ProviderSchemes.HubSpotV3, clientSecret);

    public Verification Verify(InboundRequest request, DateTimeOffset now)
    {
        var url = request.Url;
        foreach (var (encoded, decoded) in Decoded) url = url.Replace(encoded, decoded, StringComparison.OrdinalIgnoreCase);
        return _hmac.Verify(request with { Url = url }, now);
    }
}
