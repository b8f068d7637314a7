using System.Text.Json.Serialization;

namespace Integrations.Application.Connections.Credentials;

/// <summary>The kinds of credential a connection holds; the wire and storage names are oauth2, api_key, basic.</summary>
public enum CredentialKind
{
    OAuth2,
    ApiKey,
    Basic,
}

/// <summary>
/// What a connection authenticates with at its provider. Kept only encrypted at rest
/// (<see cref="ICredentialVault"/>); the secrets are <see cref="SecretValue"/>s and
/// <see cref="ToString"/> says which are present, never what they are; as JSON the secrets are
/// <c>"[secret]"</c> and the user name and extras are left out. The vault stores it in a format of its own.
/// </summary>
public sealed record ConnectionCredential
{
    public CredentialKind Kind { get; init; }

    public SecretValue? AccessToken { get; init; }

    public SecretValue? RefreshToken { get; init; }

    public SecretValue? ApiKey { get; init; }

    /// <summary>The basic-auth user name: not a secret on its own, but stored encrypted with the password and never printed.</summary>
    [JsonIgnore]
    public string? Username { get; init; }

    public SecretValue? Password { get; init; }

    /// <summary>The tenant's own OAuth client at the provider (oauth2_client_credentials): its id, stored encrypted with its secret.</summary>
    [JsonIgnore]
    public string? ClientId { get; init; }

    /// <summary>The tenant's own client secret (oauth2_client_credentials): what fetches a new access token.</summary>
    public SecretValue? ClientSecret { get; init; }

    /// <summary>When the access token expires, if the provider said (oauth2).</summary>
    public DateTimeOffset? AccessExpiresAt { get; init; }

    /// <summary>The scopes the provider granted (oauth2).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// Facts the connector needs beside the secrets, such as an instance URL or a token type. Not
    /// secret by contract (never put a secret here), yet encrypted with the rest and printed by key only.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> Extras { get; init; } = new Dictionary<string, string>();

    public static ConnectionCredential OAuth2(string accessToken, string? refreshToken, DateTimeOffset? accessExpiresAt, IReadOnlyList<string> scopes,
        IReadOnlyDictionary<string, string>? extras = null) => new()
    {
        Kind = CredentialKind.OAuth2,
        AccessToken = new SecretValue(accessToken),
        RefreshToken = string.IsNullOrEmpty(refreshToken) ? null : new SecretValue(refreshToken),
        AccessExpiresAt = accessExpiresAt,
        Scopes = scopes,
        Extras = extras ?? new Dictionary<string, string>(),
    };

    public static ConnectionCredential ForApiKey(string apiKey, IReadOnlyDictionary<string, string>? extras = null) => new()
    {
        Kind = CredentialKind.ApiKey,
        ApiKey = new SecretValue(apiKey),
        Extras = extras ?? new Dictionary<string, string>(),
    };

    public static ConnectionCredential ForBasic(string username, string password, IReadOnlyDictionary<string, string>? extras = null) => new()
    {
        Kind = CredentialKind.Basic,
        Username = username,
        Password = new SecretValue(password),
        Extras = extras ?? new Dictionary<string, string>(),
    };

    /// <summary>Refuses a credential that lacks what its kind needs, or carries fields of another kind.</summary>
    public void EnsureComplete()
    {
        var problem = Kind switch
        {
            CredentialKind.OAuth2 when AccessToken is null => "an oauth2 credential needs an access token",
            CredentialKind.OAuth2 when ApiKey is not null || Username is not null || Password is not null => "an oauth2 credential holds tokens only",
            CredentialKind.OAuth2 when (ClientSecret is null) != string.IsNullOrEmpty(ClientId) => "an oauth2 client holds both its id and its secret",
            CredentialKind.ApiKey or CredentialKind.Basic when ClientId is not null || ClientSecret is not null => "only an oauth2 credential holds a client",
            CredentialKind.ApiKey when ApiKey is null => "an api_key credential needs the key",
            CredentialKind.ApiKey when AccessToken is not null || RefreshToken is not null || Username is not null || Password is not null =>
                "an api_key credential holds the key only",
            CredentialKind.Basic when string.IsNullOrEmpty(Username) || Password is null => "a basic credential needs a user name and a password",
            CredentialKind.Basic when AccessToken is not null || RefreshToken is not null || ApiKey is not null => "a basic credential holds a user name and a password only",
            CredentialKind.OAuth2 or CredentialKind.ApiKey or CredentialKind.Basic => null,
            _ => "unknown credential kind",
        };
        if (problem is not null) throw new ArgumentException($"Incomplete credential: {problem}.");
    }

    /// <summary>Which secrets are present, and the non-secret facts; never a secret, a user name or an extra's value.</summary>
    public override string ToString()
    {
        var present = new[] { ("access_token", AccessToken), ("refresh_token", RefreshToken), ("api_key", ApiKey), ("password", Password), ("client_secret", ClientSecret) }
            .Where(s => s.Item2 is not null).Select(s => s.Item1);
        return $"ConnectionCredential {{ Kind = {Kind}, Secrets = [{string.Join(", ", present)}], AccessExpiresAt = {AccessExpiresAt:O}, " +
               $"Scopes = [{string.Join(" ", Scopes)}], Extras = [{string.Join(", ", Extras.Keys)}] }}";
    }
}
