using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// The token endpoint (RFC 6749 §3.2): authorization_code (§4.1.3 with RFC 7636 §4.5), refresh_token
/// (§6) and client_credentials (§4.4). Every call is counted by its grant type.
/// </summary>
public static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context, OAuthServer server, TokenStore store, OAuthResponses responses, FaultRules faults)
    {
        var settings = server.Settings;
        if (await OAuthForms.ReadAsync(context.Request) is not { } form)
        {
            server.CountTokenRequest("(none)");
            await responses.WriteErrorAsync(context, OAuthForms.NotAForm);
            return;
        }
        var grantType = form["grant_type"].ToString();
        server.CountTokenRequest(grantType.Length == 0 ? "(none)" : grantType);
        // §3.2: parameters sent without a value are treated as omitted; none may be repeated.
        if (OAuthForms.Repeated(form) is { } repeated)
        {
            await responses.WriteErrorAsync(context, OAuthError.InvalidRequest($"The parameter '{repeated}' is repeated."));
            return;
        }
        if (grantType.Length == 0)
        {
            await responses.WriteErrorAsync(context, OAuthError.InvalidRequest("grant_type is required."));
            return;
        }
        if (grantType is not ("authorization_code" or "refresh_token" or "client_credentials"))
        {
            await responses.WriteErrorAsync(context, new OAuthError("unsupported_grant_type", $"The grant type '{grantType}' is not supported."));
            return;
        }
        var check = ClientAuthentication.Authenticate(context.Request, form, server);
        if (check.Client is not { } client)
        {
            await responses.WriteErrorAsync(context, check.Error!, check.Challenge);
            return;
        }

        var (issue, error) = grantType switch
        {
            "authorization_code" => AuthorizationCode(form, client, store, settings),
            "client_credentials" => ClientCredentials(form, client, server, store, settings),
            _ => (null, null),
        };
        if (grantType == "refresh_token")
        {
            var refreshToken = OAuthForms.Value(form, "refresh_token");
            if (refreshToken is null)
            {
                error = OAuthError.InvalidRequest("refresh_token is required.");
            }
            else
            {
                var fault = server.TakeRefreshFault();
                if (fault is not null && !fault.LostResponse)
                {
                    await WriteFaultAsync(context, fault, responses, faults);
                    return;
                }
                (issue, error) = store.Refresh(refreshToken, client, OAuthForms.Value(form, "scope"), settings);
                if (error is not null && TokenStore.IsReuse(error)) server.CountRefreshReuse();
                if (fault is not null && issue is not null)
                {
                    // The refresh took effect but its answer never arrives: the client must cope with a rotated token it never saw.
                    server.CountTokenSuccess(grantType);
                    context.Abort();
                    return;
                }
            }
        }
        if (issue is null)
        {
            await responses.WriteErrorAsync(context, error!);
            return;
        }
        server.CountTokenSuccess(grantType);
        await responses.WriteTokenAsync(context, issue, settings);
    }

    private static (TokenIssue?, OAuthError?) AuthorizationCode(IFormCollection form, OAuthClient client, TokenStore store, OAuthSettings settings)
    {
        var code = OAuthForms.Value(form, "code");
        return code is null
            ? (null, OAuthError.InvalidRequest("code is required."))
            : store.RedeemCode(code, client, OAuthForms.Value(form, "redirect_uri"), OAuthForms.Value(form, "code_verifier"), settings);
    }

    /// <summary>§4.4: for confidential clients only; the token reaches the account named in the request or the default one.</summary>
    private static (TokenIssue?, OAuthError?) ClientCredentials(IFormCollection form, OAuthClient client, OAuthServer server, TokenStore store, OAuthSettings settings)
    {
        if (client.IsPublic)
        {
            return (null, new OAuthError("unauthorized_client", "A public client may not use client_credentials."));
        }
        var (scope, problem) = OAuthForms.Scope(OAuthForms.Value(form, "scope"), settings);
        if (problem is not null)
        {
            return (null, problem);
        }
        var account = server.ResolveAccount(OAuthForms.Value(form, settings.AccountParameter) ?? settings.ConsentAccount);
        return (store.ClientCredentials(client, account.Id, scope, settings), null);
    }

    private static Task WriteFaultAsync(HttpContext context, RefreshFault fault, OAuthResponses responses, FaultRules faults) => fault.Kind switch
    {
        "hang" => FaultResponses.ApplyAsync(context, new FaultRule { Hang = true }, faults.Released, next: null),
        "server_error" => responses.WriteErrorAsync(context, new OAuthError("server_error", "Injected server error.", fault.Status ?? 500)),
        "temporarily_unavailable" => responses.WriteErrorAsync(context, new OAuthError("temporarily_unavailable", "Injected outage.", fault.Status ?? 503)),
        _ => responses.WriteErrorAsync(context, OAuthError.InvalidGrant("The refresh token is no longer valid.")),
    };
}

/// <summary>Reading the form bodies of the OAuth endpoints.</summary>
public static class OAuthForms
{
    public static readonly OAuthError NotAForm = OAuthError.InvalidRequest("The body must be application/x-www-form-urlencoded.");

    /// <summary>The form of a POST with <c>application/x-www-form-urlencoded</c> (RFC 6749 §3.2, §4.1.3), or null.</summary>
    public static async Task<IFormCollection?> ReadAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || request.ContentType is not { } type
            || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return await request.ReadFormAsync(request.HttpContext.RequestAborted);
    }

    /// <summary>A parameter's value; empty counts as omitted (RFC 6749 §3.1).</summary>
    public static string? Value(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters, string name) =>
        parameters.FirstOrDefault(p => p.Key == name).Value.ToString() is { Length: > 0 } value ? value : null;

    /// <summary>The first parameter given more than once (RFC 6749 §3.1: parameters MUST NOT be repeated).</summary>
    public static string? Repeated(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters) =>
        parameters.FirstOrDefault(p => p.Value.Count > 1).Key;

    /// <summary>RFC 6749 §3.3: a space-delimited list of case-sensitive strings.</summary>
    public static HashSet<string> ScopeSet(string scope) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>The scope to grant (RFC 6749 §3.3): the requested one if every value is allowed, the default when none is asked.</summary>
    public static (string Scope, OAuthError? Problem) Scope(string? requested, OAuthSettings settings)
    {
        if (requested is null)
        {
            return (settings.DefaultScope, null);
        }
        var unknown = ScopeSet(requested).FirstOrDefault(s => settings.Scopes.Count > 0 && !settings.Scopes.Contains(s));
        return unknown is null
            ? (string.Join(' ', ScopeSet(requested)), null)
            : ("", new OAuthError("invalid_scope", $"The scope '{unknown}' is not known."));
    }
}
