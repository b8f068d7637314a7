using System.Text.Json;
using System.Text.Json.Serialization;
using Integrations.Application.Connections.Credentials;

namespace Integrations.Infrastructure.Persistence.Credentials;

/// <summary>
/// The plaintext of a credential record, as JSON (it exists only in memory, between the vault and
/// the envelope). Property names are part of the stored format (<see cref="Security.CredentialEnvelope.FormatVersion"/>).
/// </summary>
internal sealed record CredentialPayload(
    string Kind,
    string? AccessToken,
    string? RefreshToken,
    string? ApiKey,
    string? Username,
    string? Password,
    DateTimeOffset? AccessExpiresAt,
    IReadOnlyList<string> Scopes,
    IReadOnlyDictionary<string, string> Extras,
    string? ClientId = null,
    string? ClientSecret = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(ConnectionCredential credential) => JsonSerializer.SerializeToUtf8Bytes(new CredentialPayload(
        KindName(credential.Kind), credential.AccessToken?.Reveal(), credential.RefreshToken?.Reveal(), credential.ApiKey?.Reveal(), credential.Username,
        credential.Password?.Reveal(), credential.AccessExpiresAt, credential.Scopes, credential.Extras, credential.ClientId, credential.ClientSecret?.Reveal()), Json);

    public static ConnectionCredential Deserialize(byte[] utf8)
    {
        var payload = JsonSerializer.Deserialize<CredentialPayload>(utf8, Json) ?? throw new JsonException("An empty credential record.");
        return new ConnectionCredential
        {
            Kind = payload.Kind switch
            {
                "oauth2" => CredentialKind.OAuth2,
                "api_key" => CredentialKind.ApiKey,
                "basic" => CredentialKind.Basic,
                _ => throw new JsonException("A credential record of an unknown kind."),
            },
            AccessToken = Secret(payload.AccessToken),
            RefreshToken = Secret(payload.RefreshToken),
            ApiKey = Secret(payload.ApiKey),
            Username = payload.Username,
            Password = Secret(payload.Password),
            AccessExpiresAt = payload.AccessExpiresAt,
            Scopes = payload.Scopes ?? [],
            Extras = payload.Extras ?? new Dictionary<string, string>(),
            ClientId = payload.ClientId,
            ClientSecret = Secret(payload.ClientSecret),
        };
    }

    /// <summary>Holds secrets in plain strings: never print them (the record's generated ToString would).</summary>
    public override string ToString() => $"CredentialPayload {{ Kind = {Kind} }}";

    public static string KindName(CredentialKind kind) => kind switch
    {
        CredentialKind.OAuth2 => "oauth2",
        CredentialKind.ApiKey => "api_key",
        CredentialKind.Basic => "basic",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static SecretValue? Secret(string? value) => string.IsNullOrEmpty(value) ? null : new SecretValue(value);
}
