using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Integrations.Fakes.Teams;

/// <summary>What a minted activity token should get wrong, for attack tests.</summary>
public enum TokenFlaw
{
    None,
    /// <summary>Signed by a key the JWKS does not hold, under the published key's kid.</summary>
    WrongSignature,
    /// <summary>Signed by a key whose kid the JWKS does not list.</summary>
    UnknownKid,
    /// <summary>alg none, no signature.</summary>
    AlgNone,
    /// <summary>Signed by a published key endorsed only for another channel (webchat), not msteams.</summary>
    NotEndorsed,
}

/// <summary>
/// The Bot Connector's signing keys and the tokens it sends to bots
/// (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication, "Connector to bot"):
/// RS256 JWTs with issuer https://api.botframework.com, the bot's app id as audience, a serviceUrl
/// claim, and a kid naming a key of the JWKS (which lists the channels each key endorses).
/// </summary>
public sealed class ActivityTokens : IDisposable
{
    public const string Issuer = "https://api.botframework.com";
    public const string KeyId = "fake-bot-connector-key";
    public const string WebChatKeyId = "fake-bot-connector-key-webchat";

    private readonly RSA _published = RSA.Create(2048);
    private readonly RSA _webChat = RSA.Create(2048);
    private readonly RSA _unpublished = RSA.Create(2048);

    /// <summary>Microsoft's JWKS lists, beside each key, the channels it signs for (its endorsements).</summary>
    public object Jwks() => new { keys = new[] { Key(_published, KeyId, "msteams"), Key(_webChat, WebChatKeyId, "webchat") } };

    private static object Key(RSA rsa, string kid, string endorsed)
    {
        var p = rsa.ExportParameters(false);
        return new { kty = "RSA", use = "sig", kid, n = B64(p.Modulus!), e = B64(p.Exponent!), endorsements = new[] { endorsed } };
    }

    public string Mint(string audience, string serviceUrl, string? issuer, DateTimeOffset now, int expiresInSeconds, int notBeforeInSeconds, TokenFlaw flaw)
    {
        var header = flaw == TokenFlaw.AlgNone
            ? new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" }
            : new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = flaw switch
            {
                TokenFlaw.UnknownKid => "not-in-the-jwks",
                TokenFlaw.NotEndorsed => WebChatKeyId,
                _ => KeyId,
            } };
        var payload = new Dictionary<string, object>
        {
            ["serviceUrl"] = serviceUrl,
            ["iss"] = issuer ?? Issuer,
            ["aud"] = audience,
            ["nbf"] = now.AddSeconds(notBeforeInSeconds).ToUnixTimeSeconds(),
            ["exp"] = now.AddSeconds(expiresInSeconds).ToUnixTimeSeconds(),
        };
        var signed = B64(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header))) + "." + B64(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload)));
        if (flaw == TokenFlaw.AlgNone) return signed + ".";
        var key = flaw switch
        {
            TokenFlaw.None => _published,
            TokenFlaw.NotEndorsed => _webChat,
            _ => _unpublished,
        };
        return signed + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public void Dispose()
    {
        _published.Dispose();
        _webChat.Dispose();
        _unpublished.Dispose();
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
