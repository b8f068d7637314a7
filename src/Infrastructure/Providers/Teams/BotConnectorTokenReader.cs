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
/// RS256, only the key the token's kid names; an unsigned token (alg none) is never accepted.
/// </summary>
public sealed class BotConnectorTokenReader(Uri metadataUrl, string issuer, IClock clock) : IBotConnectorTokens, IDisposable
{
    public const string DefaultMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    private static readonly TimeSpan KeysFor = TimeSpan.FromDays(1);
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private (IReadOnlyList<SecurityKey> Keys, DateTimeOffset At)? _keys;

    public string Issuer => issuer;

    public async Task<BotTokenRead> ReadAsync(string token, CancellationToken ct)
    {
        if (!_handler.CanReadToken(token)) return new(null, "malformed_token");
        var kid = new JsonWebToken(token).Kid;
        var keys = await KeysAsync(kid, ct);
        if (keys is null) return new(null, "keys_unavailable");
        if (kid is null || keys.All(k => k.KeyId != kid)) return new(null, "unknown_key");
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            // The claims are BotTokenRules' (pure, unit-tested); here only the signature and its algorithm.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return new(null, "invalid_signature");
        return new(new BotTokenClaims(jwt.Issuer, jwt.Audiences.ToList(), At(jwt, "nbf"), At(jwt, "exp"),
            jwt.TryGetPayloadValue<string>("serviceUrl", out var serviceUrl) ? serviceUrl : null), null);
    }

    public void Dispose()
    {
        _http.Dispose();
        _fetching.Dispose();
    }

    private static DateTimeOffset? At(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<long>(claim, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>The cached keys, read again when a day old, or when <paramref name="kid"/> is not among them and the last read is 5 minutes old.</summary>
    private async Task<IReadOnlyList<SecurityKey>?> KeysAsync(string? kid, CancellationToken ct)
    {
        var now = clock.UtcNow;
        if (_keys is { } cached && now - cached.At < KeysFor && (cached.Keys.Any(k => k.KeyId == kid) || now - cached.At < RereadAfter)) return cached.Keys;
        await _fetching.WaitAsync(ct);
        try
        {
            if (_keys is { } again && again.At > now - TimeSpan.FromSeconds(1)) return again.Keys;
            using var metadata = JsonDocument.Parse(await _http.GetStringAsync(metadataUrl, ct));
            var jwksUri = metadata.RootElement.GetProperty("jwks_uri").GetString()!;
            var set = new JsonWebKeySet(await _http.GetStringAsync(new Uri(jwksUri, UriKind.Absolute), ct)) { SkipUnresolvedJsonWebKeys = true };
            _keys = (set.GetSigningKeys().ToList(), clock.UtcNow);
            return _keys.Value.Keys;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or ArgumentException or TaskCanceledException)
        {
            return _keys?.Keys;
        }
        finally
        {
            _fetching.Release();
        }
    }
}
