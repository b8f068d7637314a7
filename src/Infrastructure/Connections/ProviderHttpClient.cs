using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connections.Credentials;
using Integrations.Domain.Connections;
using Integrations.Infrastructure.Http;
using Integrations.Infrastructure.Providers;

namespace Integrations.Infrastructure.Connections;

/// <summary>
/// <see cref="IProviderClient"/> over HTTP: the token endpoint (RFC 6749 §4.1.3, §4.4, §6, client
/// authentication §2.3.1), the revocation endpoint (RFC 7009) and the health check. Endpoints from
/// the provider catalog are the operator's and trusted; endpoints a tenant named (the http
/// provider's base and token URLs, a Jira site) go through <see cref="GuardedConnection"/>. Every call gives up
/// after Connections:ProviderTimeout; no redirects are followed; answers are read up to 64 KiB.
/// Nothing of a credential or of an answer's body goes into an exception or a log.
/// </summary>
public sealed class ProviderHttpClient : IProviderClient, IDisposable
{
    private const int MaxAnswerBytes = 64 * 1024;
    private static readonly string[] RefusedGrantErrors = ["invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope", "access_denied"];

    private readonly HttpClient _trusted;
    private readonly HttpClient _guarded;
    private readonly ProviderCatalog _catalog;
    private readonly ConnectionsOptions _options;
    private readonly IClock _clock;

    public ProviderHttpClient(ProviderCatalog catalog, ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets)
    {
        _catalog = catalog;
        _options = options;
        _clock = clock;
        // The one outbound HTTP factory (DESIGN): the operator's catalog URLs unguarded, a tenant's guarded.
        _trusted = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
        _guarded = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout);
    }

    public Task<TokenGrant> ExchangeCodeAsync(ProviderDefinition provider, string code, string redirectUri, string? codeVerifier, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri) };
        if (codeVerifier is not null) form.Add(new("code_verifier", codeVerifier));
        return TokenAsync(_trusted, OAuthOf(provider).TokenUrl, form, OurClient(provider), OAuthOf(provider).ClientAuthentication, [], ct, provider.BodyErrors);
    }

    public Task<TokenGrant> RefreshAsync(ProviderDefinition provider, SecretValue refreshToken, CancellationToken ct) =>
        TokenAsync(_trusted, OAuthOf(provider).TokenUrl, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken.Reveal())],
            OurClient(provider), OAuthOf(provider).ClientAuthentication, [], ct, provider.BodyErrors);

    public Task<TokenGrant> ClientCredentialsAsync(ProviderDefinition provider, ConnectionSettings? settings, string clientId, SecretValue clientSecret,
        IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scopes.Count > 0) form.Add(new("scope", string.Join(provider.OAuth?.ScopeSeparator ?? " ", scopes)));
        var (client, url) = settings?.TokenUrl is { } own ? (_guarded, own) : (_trusted, OAuthOf(provider).TokenUrl);
        return TokenAsync(client, url, form, (clientId, clientSecret.Reveal()), provider.OAuth?.ClientAuthentication ?? ClientAuthentication.Basic, scopes, ct);
    }

    public async Task<bool> RevokeAsync(ProviderDefinition provider, SecretValue token, string tokenTypeHint, CancellationToken ct)
    {
        if (provider.OAuth?.RevokeUrl is not { } url) return false;
        using var request = provider.OAuth.Revocation == RevocationStyle.BearerToken
            ? new HttpRequestMessage(HttpMethod.Post, url) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal()) } }
            : FormRequest(url, [new("token", token.Reveal()), new("token_type_hint", tokenTypeHint)], OurClient(provider), provider.OAuth.ClientAuthentication);
        using var answer = await SendAsync(_trusted, request, ct);
        // RFC 7009 §2.2: 200 whether the token was valid or not; anything else did not revoke (nor a 200 whose body says it failed).
        return answer.StatusCode == HttpStatusCode.OK
            && provider.BodyErrors?.Read(await answer.Content.ReadAsByteArrayAsync(ct)) is null;
    }

    public async Task<HealthCheckAnswer> CheckAsync(ProviderDefinition provider, ConnectionSettings? settings, CallCredentials credentials, CancellationToken ct)
    {
        var call = ConnectionEndpoints.HealthCheck(provider, settings) ?? throw new ProviderCallException(ProviderFailureKind.Refused, "no_health_check",
            $"The provider {provider.Id} has no health check.");
        var baseUrl = ConnectionEndpoints.BaseUrl(provider, settings)!;
        var url = ConnectionEndpoints.Below(baseUrl, call.Path);
        if (credentials.Query.Count > 0)
            url = new Uri(url + (url.Query.Length > 0 ? "&" : "?") + string.Join('&', credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        using var answer = await SendAsync(ConnectionEndpoints.TenantNamed(settings) ? _guarded : _trusted, request, ct);
        var status = (int)answer.StatusCode;
        if (status is 401 or 403) throw new ProviderCallException(ProviderFailureKind.Refused, $"http_{status}", $"The provider answered {status} to the credentials.");
        if (status is < 200 or > 299)
            throw new ProviderCallException(status is 408 or 429 or >= 500 ? ProviderFailureKind.Transient : ProviderFailureKind.Refused, $"http_{status}",
                $"The health check answered {status}.");
        if (provider.BodyErrors?.Read(await answer.Content.ReadAsByteArrayAsync(ct)) is { } refused)
            throw ProviderCallException.FromBody(refused, $"The health check answered {refused.Code}.");
        var body = await ReadJsonAsync(answer, ct);
        var account = body is { } json ? ConnectionEndpoints.ReadAccount(call, baseUrl, json) : call.AccountIdPath.Length == 0 ? ConnectionEndpoints.ReadAccount(call, baseUrl, default) : null;
        return account is null
            ? throw new ProviderCallException(ProviderFailureKind.Refused, "account_unreadable",
                $"The health check's answer names no account at {call.AccountIdPath}.")
            : new HealthCheckAnswer(account);
    }

    public void Dispose()
    {
        _trusted.Dispose();
        _guarded.Dispose();
    }

    private async Task<TokenGrant> TokenAsync(HttpClient client, Uri url, List<KeyValuePair<string, string>> form, (string Id, string Secret) clientCredentials,
        ClientAuthentication authentication, IReadOnlyList<string> askedScopes, CancellationToken ct, BodyErrorConvention? bodyErrors = null)
    {
        using var request = FormRequest(url, form, clientCredentials, authentication);
        using var answer = await SendAsync(client, request, ct);
        var status = (int)answer.StatusCode;
        // Slack's oauth.v2.access answers a refused code or refresh token with 200 {"ok":false,"error":"invalid_refresh_token"}.
        if (status == 200 && bodyErrors?.Read(await answer.Content.ReadAsByteArrayAsync(ct)) is { } refused)
            // Not an auth error for the caller: a refused grant is what needs_reauth is for.
            throw ProviderCallException.FromBody(refused with { Kind = refused.Kind == BodyErrorKind.Auth ? BodyErrorKind.Rejected : refused.Kind },
                $"The token endpoint answered {refused.Code}.");
        var json = await ReadJsonAsync(answer, ct);
        if (status == 200 && json is { ValueKind: JsonValueKind.Object } grant && Text(grant, "access_token") is { } access)
        {
            var expiresIn = grant.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, 10L * 365 * 24 * 3600))
                : (TimeSpan?)null;
            return new TokenGrant(new SecretValue(access), Text(grant, "refresh_token") is { } refresh ? new SecretValue(refresh) : null,
                expiresIn is { } lifetime ? _clock.UtcNow + lifetime : null,
                Text(grant, "scope") is { } scope ? scope.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) : askedScopes.Count > 0 ? askedScopes : null);
        }
        // RFC 6749 §5.2: 400 (or 401 for the client) with an error code.
        if (status is 400 or 401 or 403 && json is { ValueKind: JsonValueKind.Object } error && Text(error, "error") is { } code)
        {
            var kind = RefusedGrantErrors.Contains(code) || status is 401 or 403 ? ProviderFailureKind.Refused : ProviderFailureKind.Transient;
            var description = Text(error, "error_description") is { } d ? ": " + (d.Length > 200 ? d[..200] : d) : "";
            throw new ProviderCallException(kind, code.Length > 64 ? code[..64] : code, $"The token endpoint answered {code}{description}");
        }
        throw new ProviderCallException(ProviderFailureKind.Transient, status == 200 ? "invalid_response" : $"http_{status}",
            status == 200 ? "The token endpoint's answer holds no access token." : $"The token endpoint answered {status}.");
    }

    private (string Id, string Secret) OurClient(ProviderDefinition provider) =>
        _catalog.Client(provider.Id) is { } client ? (client.ClientId, client.ClientSecret)
            : throw new ProviderCallException(ProviderFailureKind.Refused, "provider_not_ready", $"The platform's OAuth client for {provider.Id} is not configured.");

    private static OAuthSettings OAuthOf(ProviderDefinition provider) =>
        provider.OAuth ?? throw new ProviderCallException(ProviderFailureKind.Refused, "not_oauth", $"The provider {provider.Id} has no OAuth endpoints.");

    /// <summary>RFC 6749 §2.3.1: Basic of the form-urlencoded id and secret (Appendix B), or both in the body.</summary>
    private static HttpRequestMessage FormRequest(Uri url, List<KeyValuePair<string, string>> form, (string Id, string Secret) client, ClientAuthentication authentication)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (authentication == ClientAuthentication.Basic)
        {
            var pair = $"{FormEncode(client.Id)}:{FormEncode(client.Secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form = [.. form, new("client_id", client.Id), new("client_secret", client.Secret)];
        }
        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ProviderTimeout);
        try
        {
            var answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await answer.Content.LoadIntoBufferAsync(MaxAnswerBytes, timeout.Token);
            return answer;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProviderCallException(ProviderFailureKind.Transient, "timeout", $"The provider did not answer within {_options.ProviderTimeout.TotalSeconds:F0} s.");
        }
        catch (HttpRequestException ex) when (Blocked(ex))
        {
            throw new ProviderCallException(ProviderFailureKind.Refused, "unsafe_url", "The URL resolves to an address the platform does not call (SSRF rules).");
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderCallException(ProviderFailureKind.Transient, "connection", $"The provider could not be reached ({ex.HttpRequestError}).");
        }
    }

    private static bool Blocked(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is SsrfBlockedException) return true;
        return false;
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage answer, CancellationToken ct)
    {
        try
        {
            var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
            return bytes.Length == 0 ? null : JsonDocument.Parse(bytes).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
