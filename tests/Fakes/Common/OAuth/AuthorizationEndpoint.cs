using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// The authorization endpoint of the authorization code grant (RFC 6749 §4.1.1–§4.1.2.1, RFC 7636
/// §4.3–§4.4.1), GET or POST (§3.1), and the decision of its consent page.
/// </summary>
public static class AuthorizationEndpoint
{
    public const string DecisionSuffix = "/decision";

    public static async Task HandleAsync(HttpContext context, OAuthServer server, TokenStore store)
    {
        var settings = server.Settings;
        IEnumerable<KeyValuePair<string, StringValues>> parameters = HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted)
            : context.Request.Query;
        var parameterList = parameters.ToList();
        string? Get(string name) => OAuthForms.Value(parameterList, name);

        // §4.1.2.1: without a valid client and redirection URI the user is told, never redirected.
        var client = server.FindClient(Get("client_id"));
        if (client is null)
        {
            await ConsentPage.WriteProblemAsync(context, "The client is not known (client_id is missing or not registered).");
            return;
        }
        var requestedRedirect = Get("redirect_uri");
        var redirectUri = requestedRedirect ?? (client.RedirectUris.Count == 1 ? client.RedirectUris[0] : null);
        if (redirectUri is null || !RedirectUri.IsValid(redirectUri)
            || (client.RedirectUris.Count > 0 && !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal)))
        {
            await ConsentPage.WriteProblemAsync(context, "The redirect_uri is missing, malformed or not registered for this client.");
            return;
        }

        var state = Get("state");
        var (request, error) = Validate(parameterList, Get, client, redirectUri, requestedRedirect is not null, state, server);
        if (error is not null)
        {
            Redirect(context, redirectUri, error.Error, error.Description, state);
            return;
        }
        switch (settings.Consent)
        {
            case ConsentMode.Approve:
                Redirect(context, request!.RedirectUri, ("code", store.CreateCode(request, request.Account, settings)), ("state", state));
                break;
            case ConsentMode.Deny:
                Redirect(context, redirectUri, "access_denied", "The user denied the request.", state);
                break;
            default:
                server.AddPending(request!);
                await ConsentPage.WriteAsync(context, request!, settings.AuthorizePath + DecisionSuffix, server.Accounts);
                break;
        }
    }

    /// <summary>The consent page's form: approve (with the account chosen there) or deny, once per request.</summary>
    public static async Task DecideAsync(HttpContext context, OAuthServer server, TokenStore store)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;
        var request = server.TakePending(form["request_id"]);
        if (request is null)
        {
            await ConsentPage.WriteProblemAsync(context, "This authorization request is unknown or was already decided.");
            return;
        }
        if (form["decision"] != "approve")
        {
            Redirect(context, request.RedirectUri, "access_denied", "The user denied the request.", request.State);
            return;
        }
        var account = server.ResolveAccount(OAuthForms.Value(form, "account") ?? request.Account);
        Redirect(context, request.RedirectUri, ("code", store.CreateCode(request, account.Id, server.Settings)), ("state", request.State));
    }

    private static (PendingAuthorization?, OAuthError?) Validate(
        List<KeyValuePair<string, StringValues>> parameters, Func<string, string?> get, OAuthClient client,
        string redirectUri, bool redirectGiven, string? state, OAuthServer server)
    {
        var settings = server.Settings;
        if (OAuthForms.Repeated(parameters) is { } repeated)
        {
            return (null, OAuthError.InvalidRequest($"The parameter '{repeated}' is repeated."));
        }
        var responseType = get("response_type");
        if (responseType is null)
        {
            return (null, OAuthError.InvalidRequest("response_type is required."));
        }
        if (responseType != "code")
        {
            return (null, new OAuthError("unsupported_response_type", "Only response_type=code is supported."));
        }
        var (scope, scopeProblem) = OAuthForms.Scope(get("scope"), settings);
        if (scopeProblem is not null)
        {
            return (null, scopeProblem);
        }

        string? challenge = null, method = null;
        if (settings.Pkce != PkcePolicy.Unsupported)
        {
            challenge = get("code_challenge");
            // RFC 7636 §4.3: the method defaults to plain.
            method = get("code_challenge_method") ?? (challenge is null ? null : "plain");
            if (challenge is null && (settings.Pkce == PkcePolicy.Required || method is not null))
            {
                // §4.4.1: the error_description is the RFC's own wording.
                return (null, OAuthError.InvalidRequest("code challenge required"));
            }
            if (challenge is not null && !settings.PkceMethods.Contains(method!, StringComparer.Ordinal))
            {
                return (null, OAuthError.InvalidRequest("transform algorithm not supported"));
            }
            if (challenge is not null && Pkce.CheckChallenge(challenge, method!) is { } problem)
            {
                return (null, OAuthError.InvalidRequest(problem));
            }
        }

        var account = server.ResolveAccount(get(settings.AccountParameter) ?? settings.ConsentAccount);
        return (new PendingAuthorization(Tokens.New("authz_"), client, redirectUri, redirectGiven, scope, state, challenge, method, account.Id), null);
    }

    /// <summary>§4.1.2.1: the error goes back to the client in the redirection URI's query, with the state.</summary>
    private static void Redirect(HttpContext context, string redirectUri, string error, string description, string? state) =>
        Redirect(context, redirectUri, ("error", error), ("error_description", description), ("state", state));

    private static void Redirect(HttpContext context, string redirectUri, params (string Name, string? Value)[] parameters)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = RedirectUri.With(redirectUri, parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)));
    }
}
