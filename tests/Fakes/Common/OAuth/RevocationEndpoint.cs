using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>Token revocation, RFC 7009.</summary>
public static class RevocationEndpoint
{
    public static async Task HandleAsync(HttpContext context, OAuthServer server, TokenStore store, OAuthResponses responses)
    {
        server.CountRevocation();
        if (await OAuthForms.ReadAsync(context.Request) is not { } form)
        {
            await responses.WriteErrorAsync(context, OAuthForms.NotAForm);
            return;
        }
        // §2.1: the client authenticates as at the token endpoint.
        var check = ClientAuthentication.Authenticate(context.Request, form, server);
        if (check.Client is not { } client)
        {
            await responses.WriteErrorAsync(context, check.Error!, check.Challenge);
            return;
        }
        var token = OAuthForms.Value(form, "token");
        if (token is null)
        {
            await responses.WriteErrorAsync(context, OAuthError.InvalidRequest("token is required."));
            return;
        }
        // §2.1: token_type_hint only speeds up the look-up; an unknown hint is ignored, so it is not read at all.
        if (store.Revoke(token, client, server.Settings) is { } refused)
        {
            await responses.WriteErrorAsync(context, refused);
            return;
        }
        // §2.2: 200 whether the token was revoked or was not valid in the first place.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
    }
}
