using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.Notifications;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Notifications;

namespace Integrations.Application.Connections;

/// <summary>A connect URL handed out for an authorization; valid until <see cref="ExpiresAt"/>, once.</summary>
public sealed record ConnectUrl(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// The two ways a connection gets its credentials, shared by creation and reconnection: the OAuth
/// authorization code flow started here and finished by the callback (RFC 6749 §4.1 with PKCE,
/// RFC 7636), and credentials given directly, verified by a call before anything is stored.
/// Runs inside the caller's unit of work.
/// </summary>
public sealed class ConnectFlow(
    ConnectionAggregate connections,
    IConnectAuthorizations authorizations,
    ICredentialVault vault,
    IProviderClient providers,
    IProviderCatalog catalog,
    IConnectionHealthSchedule schedule,
    IncidentLog incidents,
    ISecretProtector protector,
    ConnectionsOptions options,
    IRequestContext context,
    IClock clock)
{
    public const string CallbackPath = "/connect/callback/";

    /// <summary>
    /// A new authorization: a state of 256 random bits (stored only as its SHA-256, bound to the
    /// tenant, the connection and the caller), a PKCE verifier where the provider supports it (S256,
    /// stored encrypted), and the provider's authorization URL that carries them.
    /// </summary>
    public async Task<ConnectUrl> StartAsync(Guid tenantId, Guid connectionId, ProviderDefinition provider, IReadOnlyList<string>? scopes, string? returnUrl,
        string callbackBaseUrl, CancellationToken ct)
    {
        var oauth = provider.OAuth ?? throw new InvalidOperationException($"Provider {provider.Id} has no OAuth settings.");
        var client = catalog.OAuthClientId(provider.Id) ?? throw new ValidationException([new ValidationError("provider", "provider_not_ready",
            $"The operator has not configured the platform's OAuth client for {provider.Id} (Providers:{provider.Id}:ClientId and ClientSecret).")]);
        var state = Base64Url(RandomNumberGenerator.GetBytes(32));
        var verifier = oauth.Pkce ? Base64Url(RandomNumberGenerator.GetBytes(32)) : null;
        var now = clock.UtcNow;
        var redirectUri = callbackBaseUrl.TrimEnd('/') + CallbackPath + provider.Id;
        var asked = scopes is { Count: > 0 } ? scopes : oauth.DefaultScopes;
        var expiresAt = now + options.AuthorizationTimeout;
        await connections.HandleAsync(tenantId, connectionId, new RequestAuthorization(StateHash(state), options.AuthorizationTimeout, context.Actor, now), ct);
        await authorizations.SaveAsync(new PendingAuthorization(StateHash(state), tenantId, connectionId, provider.Id, context.Actor,
            verifier is null ? null : protector.Protect(verifier), redirectUri, returnUrl, asked, expiresAt, now), ct);

        var query = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", client),
            new("redirect_uri", redirectUri),
            new("state", state),
        };
        if (asked.Count > 0) query.Add(new("scope", string.Join(oauth.ScopeSeparator, asked)));
        if (verifier is not null)
        {
            query.Add(new("code_challenge", Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))));
            query.Add(new("code_challenge_method", "S256"));
        }
        var authorize = oauth.AuthorizeUrl!.ToString();
        var separator = authorize.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return new ConnectUrl(authorize + separator + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")), expiresAt);
    }

    /// <summary>
    /// Credentials given directly: turned into a credential (for oauth2_client_credentials, by
    /// asking the token endpoint for an access token), verified by the health check (which also
    /// names the account), and only then stored with <see cref="ConnectionAuthorized"/>. A refusal is a
    /// 422 and stores nothing.
    /// </summary>
    public async Task AuthorizeDirectAsync(Guid tenantId, Guid connectionId, ProviderDefinition provider, string authKind, ConnectionSettings? settings,
        SuppliedCredentials supplied, IReadOnlyList<string>? scopes, CancellationToken ct)
    {
        var credential = await CredentialAsync(provider, authKind, settings, supplied, scopes ?? [], ct);
        var account = await VerifyAsync(provider, settings, credential, ct);
        await connections.LockAsync(tenantId, connectionId, ct);
        var version = await vault.StoreAsync(tenantId, connectionId, credential, ct);
        await AuthorizedAsync(tenantId, connectionId, new CompleteAuthorization(null, account.Id, account.Name, credential.Scopes, version,
            credential.AccessExpiresAt, context.Actor, clock.UtcNow), ct);
    }

    /// <summary>Records the authorization (the decider checks the state and the account), schedules health checks, and resolves the incidents a new authorization ends.</summary>
    public async Task AuthorizedAsync(Guid tenantId, Guid connectionId, CompleteAuthorization command, CancellationToken ct)
    {
        var decided = await connections.HandleAsync(tenantId, connectionId, command, ct);
        await schedule.ScheduleAsync(tenantId, connectionId, HealthSchedule.NextCheck(connectionId, options.HealthCheck.Interval, command.Now), ct);
        var provider = decided.State.Provider;
        await incidents.ResolveAsync(tenantId, IncidentKinds.ConnectionNeedsReauth, connectionId, $"The {provider} connection was authorized again.", ct);
        await incidents.ResolveAsync(tenantId, IncidentKinds.ConnectionDisconnected, connectionId, $"The {provider} connection was authorized again.", ct);
    }

    public static string StateHash(string state) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)));

    private async Task<ConnectionCredential> CredentialAsync(ProviderDefinition provider, string authKind, ConnectionSettings? settings,
        SuppliedCredentials supplied, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        switch (authKind)
        {
            case AuthKinds.ApiKey:
                return ConnectionCredential.ForApiKey(supplied.ApiKey!);
            case AuthKinds.Basic:
                return ConnectionCredential.ForBasic(supplied.Username!, supplied.Password!);
            case AuthKinds.OAuth2ClientCredentials:
                var secret = new SecretValue(supplied.ClientSecret!);
                if (scopes.Count == 0 && provider.OAuth is { } oauth) scopes = oauth.DefaultScopes;
                var grant = await Refusing(() => providers.ClientCredentialsAsync(provider, settings, supplied.ClientId!, secret, scopes, ct));
                return ConnectionCredential.OAuth2(grant.AccessToken.Reveal(), null, grant.AccessExpiresAt, grant.Scopes ?? scopes) with
                {
                    ClientId = supplied.ClientId,
                    ClientSecret = secret,
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(authKind), authKind, "Not a kind of directly given credentials.");
        }
    }

    private async Task<ExternalAccount> VerifyAsync(ProviderDefinition provider, ConnectionSettings? settings, ConnectionCredential credential,
        CancellationToken ct)
    {
        // No call names these accounts: the endpoint URL names its workflow; the token endpoint accepted the bot's client id.
        if (provider.KeyIsEndpoint is not null && credential.ApiKey is { } key) return EndpointKey.Account(key.Reveal());
        if (provider.AccountIsClientId && credential.ClientId is { } clientId) return new ExternalAccount(clientId, null);
        if (ConnectionEndpoints.HealthCheck(provider, settings) is null)
            throw new ValidationException([new ValidationError("provider", "verification_unavailable",
                $"The provider {provider.Id} has no health check, so these credentials cannot be verified; the operator must configure Providers:{provider.Id}:HealthCheck.")]);
        var answer = await Refusing(() => providers.CheckAsync(provider, settings, ConnectionCredentials.ForCall(credential, provider, settings), ct));
        return answer.Account;
    }

    /// <summary>A provider that refuses (or cannot be reached) turns into a 422 naming what happened; nothing has been stored.</summary>
    private static async Task<T> Refusing<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ProviderCallException failure)
        {
            var code = failure.Kind == ProviderFailureKind.Refused ? "credentials_refused" : "verification_failed";
            throw new ValidationException([new ValidationError("credentials", code,
                failure.Kind == ProviderFailureKind.Refused
                    ? $"The provider refused these credentials ({failure.Error}): {failure.Message}"
                    : $"The credentials could not be verified: the provider did not answer as expected ({failure.Error}): {failure.Message}")]);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
