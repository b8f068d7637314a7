using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// How the token and revocation endpoints write their answers. The default follows RFC 6749 §5.1 and
/// §5.2; a provider whose answers differ (Slack's <c>{"ok":false}</c> with 200, extra fields such as
/// Salesforce's <c>instance_url</c>) registers a subclass in its fake.
/// </summary>
public class OAuthResponses
{
    /// <summary>RFC 6749 §5.1: 200, JSON, never cached.</summary>
    public virtual Task WriteTokenAsync(HttpContext context, TokenIssue issue, OAuthSettings settings)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return WriteJsonAsync(context, TokenFields(issue, settings));
    }

    /// <summary>The fields of a token answer; override to add a provider's own.</summary>
    protected virtual Dictionary<string, object?> TokenFields(TokenIssue issue, OAuthSettings settings)
    {
        var fields = new Dictionary<string, object?>
        {
            ["access_token"] = issue.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = issue.ExpiresIn,
        };
        if (issue.Scope.Length > 0)
        {
            fields["scope"] = issue.Scope;
        }
        if (issue.RefreshToken is not null)
        {
            fields["refresh_token"] = issue.RefreshToken;
        }
        return fields;
    }

    /// <summary>
    /// RFC 6749 §5.2: the status (400 unless the error says otherwise), <c>error</c> and
    /// <c>error_description</c>; a client that authenticated with the Authorization header and failed
    /// gets 401 with a challenge of the same scheme.
    /// </summary>
    public virtual Task WriteErrorAsync(HttpContext context, OAuthError error, string? challenge = null)
    {
        context.Response.StatusCode = error.Status;
        if (challenge is not null)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }
        return WriteJsonAsync(context, new Dictionary<string, object?> { ["error"] = error.Error, ["error_description"] = error.Description });
    }

    protected static Task WriteJsonAsync(HttpContext context, Dictionary<string, object?> body)
    {
        // RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on answers holding tokens (and their errors).
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        context.Response.ContentType = "application/json;charset=UTF-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
