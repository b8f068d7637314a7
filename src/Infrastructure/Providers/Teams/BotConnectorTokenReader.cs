using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors.Teams;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// <see cref="IBotConnectorTokens"/> as Microsoft documents it for the "Connector to bot" direction
/// (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication):
/// the OpenID metadata document names the JWKS; its keys are cached for a day (Microsoft rolls them
/// with notice) and read again at most every 5 minutes when a token names a kid we do not have. Only
/// RS256, only the key the token's kid names; an unsigned token (alg none) is never accepted. Each
/// key's <c>endorsements</c> (the channels it may sign for) come with the claims, for BotTokenRules.
/// </summary>
public sealed class BotConnectorTokenReader(Uri metadataUrl, string issuer, IClock clock) : IBotConnectorTokens, IDisposable
{
    public const string DefaultMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    private static readonly TimeSpan KeysFor = TimeSpan.FromDays(1);
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private SigningKeys? _keys;

    private sealed record SigningKeys(IReadOnlyList<SecurityKey> Keys, IReadOnlyDictionary<string, IReadOnlyList<string>> Endorsements, DateTimeOffset At);

    public string Issuer => issuer;

    public async Task<BotTokenRead> ReadAsync(string token, CancellationToken ct)
    {
        if (!_handler.CanReadToken(token)) return new(null, "malformed_token");
        var kid = new JsonWebToken(token).Kid;
        var keys = await KeysAsync(kid, ct);
        if (keys is null) return new(null, "keys_unavailable");
        if (kid is null || keys.Keys.All(k => k.KeyId != kid)) return new(null, "unknown_key");
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            // The claims are BotTokenRules' (pure, unit-tested); here only the signature and its algorithm.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = keys.Keys,
            TryAllIssuerSigningKeys = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return new(null, "invalid_signature");
        return new(new BotTokenClaims(jwt.Issuer, jwt.Audiences.ToList(), At(jwt, "nbf"), At(jwt, "exp"),
            jwt.TryGetPayloadValue<string>("serviceUrl", out var serviceUrl) ? serviceUrl : null, keys.Endorsements.GetValueOrDefault(kid, [])), null);
    }

    public void Dispose()
    {
        _http.Dispose();
        _fetching.Dispose();
    }

    private static DateTimeOffset? At(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<long>(claim, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Each key's <c>endorsements</c> array by kid (Microsoft's JWKS extension; JsonWebKey does not read it).</summary>
    private static Dictionary<string, IReadOnlyList<string>> EndorsementsOf(string jwks)
    {
        using var document = JsonDocument.Parse(jwks);
        var endorsements = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var key in document.RootElement.GetProperty("keys").EnumerateArray())
            if (key.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String
                && key.TryGetProperty("endorsements", out var list) && list.ValueKind == JsonValueKind.Array)
                endorsements[kid.GetString()!] = list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
        return endorsements;
    }

    /// <summary>The cached keys, read again when a day old, or when <paramref name="kid"/> is not among them and the last read is 5 minutes old.</summary>
    private async Task<SigningKeys?> KeysAsync(string? kid, CancellationToken ct)
    {
        var now = clock.UtcNow;
        if (_keys is { } cached && now - cached.At < KeysFor && (cached.Keys.Any(k => k.KeyId == kid) || now - cached.At < RereadAfter)) return cached;
        await _fetching.WaitAsync(ct);
        try
        {
            if (_keys is { } again && again.At > now - TimeSpan.FromSeconds(1)) return again;
            using var metadata = JsonDocument.Parse(await _http.GetStringAsync(metadataUrl, ct));
            var jwksUri = metadata.RootElement.GetProperty("jwks_uri").GetString()!;
            var json = await _http.GetStringAsync(new Uri(jwksUri, UriKind.Absolute), ct);
            var set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
            _keys = new SigningKeys(set.GetSigningKeys().ToList(), EndorsementsOf(json), clock.UtcNow);
            return _keys;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException or TaskCanceledException)
        {
            return _keys;
        }
        finally
        {
            _fetching.Release();
        }
    }
}
