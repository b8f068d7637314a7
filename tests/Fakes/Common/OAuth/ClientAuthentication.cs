using System.Security.Cryptography;
using System.Text;
using Integrations.Fakes.Common.Auth;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>The client a token or revocation request comes from, or why it is refused (and the challenge to send).</summary>
public sealed record ClientCheck(OAuthClient? Client, OAuthError? Error, string? Challenge = null);

/// <summary>
/// Client authentication at the token and revocation endpoints, RFC 6749 §2.3.1: HTTP Basic with the
/// form-urlencoded id and secret (<c>client_secret_basic</c>), or both in the body
/// (<c>client_secret_post</c>), as the provider allows; never both at once (§2.3). A public client
/// names itself with <c>client_id</c> and proves nothing (§3.2.1); a confidential one must authenticate.
/// </summary>
public static class ClientAuthentication
{
    public static ClientCheck Authenticate(HttpRequest request, IFormCollection form, OAuthServer server)
    {
        var settings = server.Settings;
        var header = request.Headers.Authorization.ToString();
        var postedSecret = form["client_secret"].ToString();
        var postedId = form["client_id"].ToString();
        var basicChallenge = $"Basic realm=\"{settings.Realm}\"";

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (postedSecret.Length > 0)
            {
                return new(null, OAuthError.InvalidRequest("The client authenticated with more than one method."));
            }
            // §5.2: a failed attempt through the Authorization header is 401 with a challenge of its scheme.
            OAuthError Refused(string description) => new("invalid_client", description, StatusCodes.Status401Unauthorized);
            if (!settings.ClientAuthMethods.Contains(OAuthSettings.ClientSecretBasic))
            {
                return new(null, Refused("client_secret_basic is not accepted here."), basicChallenge);
            }
            if (BasicCredentials.Decode(header["Basic ".Length..], formEncoded: true) is not var (id, secret))
            {
                return new(null, Refused("The Basic credentials are malformed."), basicChallenge);
            }
            if (postedId.Length > 0 && postedId != id)
            {
                return new(null, Refused("client_id differs from the authenticated client."), basicChallenge);
            }
            var client = server.FindClient(id);
            return client is { IsPublic: false } && SecretMatches(client, secret)
                ? new(client, null)
                : new(null, Refused("Client authentication failed."), basicChallenge);
        }

        if (postedSecret.Length > 0)
        {
            if (!settings.ClientAuthMethods.Contains(OAuthSettings.ClientSecretPost))
            {
                return new(null, new OAuthError("invalid_client", "client_secret_post is not accepted here."));
            }
            var client = server.FindClient(postedId);
            return client is { IsPublic: false } && SecretMatches(client, postedSecret)
                ? new(client, null)
                : new(null, new OAuthError("invalid_client", "Client authentication failed."));
        }

        var named = server.FindClient(postedId);
        return named switch
        {
            null => new(null, new OAuthError("invalid_client", postedId.Length == 0 ? "No client authentication included." : "Unknown client.")),
            // §5.2 allows 401 to say which HTTP authentication scheme is supported.
            { IsPublic: false } when settings.ClientAuthMethods.Contains(OAuthSettings.ClientSecretBasic) =>
                new(null, new OAuthError("invalid_client", "This client must authenticate.", StatusCodes.Status401Unauthorized), basicChallenge),
            { IsPublic: false } => new(null, new OAuthError("invalid_client", "This client must authenticate.")),
            _ => new(named, null),
        };
    }

    private static bool SecretMatches(OAuthClient client, string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.ClientSecret!), Encoding.UTF8.GetBytes(secret));
}
