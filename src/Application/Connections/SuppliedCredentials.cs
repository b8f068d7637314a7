namespace Integrations.Application.Connections;

/// <summary>
/// Credentials a caller hands over directly (api_key, basic, or its own OAuth client for
/// oauth2_client_credentials). Plain strings only until they are verified and sealed in the vault;
/// <see cref="ToString"/> names which fields are present, never their values.
/// </summary>
public sealed record SuppliedCredentials(string? ApiKey = null, string? Username = null, string? Password = null, string? ClientId = null,
    string? ClientSecret = null)
{
    public override string ToString() =>
        $"SuppliedCredentials {{ {string.Join(", ", new[] { ("api_key", ApiKey), ("username", Username), ("password", Password), ("client_id", ClientId), ("client_secret", ClientSecret) }.Where(f => f.Item2 is not null).Select(f => f.Item1))} }}";
}
