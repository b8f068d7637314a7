using System.Security.Claims;
using Integrations.Api.Errors;
using Integrations.Application.OAuth;

namespace Integrations.Api.OAuth;

/// <summary>
/// Which scope an OAuth access token needs for each REST operation (docs/oauth.md#scopes). API keys
/// and the admin key are not affected (full access, as before). Operations not listed here are
/// closed to access tokens: tenant API keys, app registration, installed apps and admin operations.
/// </summary>
public static class ScopeEnforcement
{
    public static bool IsAccessToken(this ClaimsPrincipal user) => user.FindFirst(OAuthClaims.ClientId) is not null;

    /// <summary>The scope the operation needs; "" when any token may call it; null when no token may.</summary>
    public static string? RequiredScope(string method, string path)
    {
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        static bool Under(string path, string prefix) =>
            path.Equals(prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);
        if (Under(path, "/api/v1/events")) return read ? OAuthScopes.EventsRead : OAuthScopes.EventsWrite;
        if (Under(path, "/api/v1/event-types")) return read ? "" : null;
        // REST hooks are webhook endpoints of another kind (ADR 0022); reading their samples reads events of the type, which webhooks:read lets a tool receive anyway.
        if (Under(path, "/api/v1/webhook-endpoints") || Under(path, "/api/v1/webhook-deliveries") || Under(path, "/api/v1/hooks"))
            return read ? OAuthScopes.WebhooksRead : OAuthScopes.WebhooksWrite;
        if (Under(path, "/api/v1/members")) return read ? OAuthScopes.MembersRead : OAuthScopes.MembersWrite;
        if (Under(path, "/api/v1/connections") || Under(path, "/api/v1/providers")) return read ? OAuthScopes.ConnectionsRead : OAuthScopes.ConnectionsWrite;
        if (Under(path, "/api/v1/schedules")) return read ? OAuthScopes.SchedulesRead : OAuthScopes.SchedulesWrite;
        if (Under(path, "/api/v1/inbound-sources")) return read ? OAuthScopes.InboundRead : OAuthScopes.InboundWrite;
        if (Under(path, "/api/v1/entities")) return read ? OAuthScopes.EntitiesRead : null;
        // The callback's settings (where commands go, its secret) are the product's own wiring: API keys only, so they fall through to null.
        if (Under(path, "/api/v1/product-commands")) return read ? OAuthScopes.CommandsRead : OAuthScopes.CommandsWrite;
        // Marking a notice read changes only its read state: the reading scope covers it.
        if (Under(path, "/api/v1/notifications")) return OAuthScopes.NotificationsRead;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (read && segments.Length == 4 && Under(path, "/api/v1/tenants")) return OAuthScopes.TenantRead;
        return null;
    }

    /// <summary>After authentication and authorization: a token without the scope gets 403 insufficient_scope (RFC 6750 §3.1).</summary>
    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        if (!context.User.IsAccessToken() || context.GetEndpoint() is null)
        {
            await next(context);
            return;
        }
        var required = RequiredScope(context.Request.Method, context.Request.Path.Value ?? "");
        var granted = (context.User.FindFirst(OAuthClaims.Scope)?.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (required is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\", error_description=\"Not available to OAuth access tokens\"";
            await ApiErrors.WriteAsync(context, 403, "insufficient_scope", "OAuth access tokens may not call this operation; use an API key.");
            return;
        }
        if (required.Length > 0 && !granted.Contains(required, StringComparer.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{required}\"";
            await ApiErrors.WriteAsync(context, 403, "insufficient_scope", $"The access token lacks the scope {required}.",
                [new ApiErrorDetail("scope", "insufficient_scope", $"Required: {required}.")]);
            return;
        }
        await next(context);
    }
}
