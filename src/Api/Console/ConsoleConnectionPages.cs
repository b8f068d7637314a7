using Integrations.Application.Apps;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.Connections;
using Integrations.Application.Connections.Commands.CreateConnection;
using Integrations.Application.Connections.Queries.ListConnections;
using Integrations.Application.Providers.Queries.ListProviders;
using Integrations.Domain.Connections;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The connection list with a Connect form per provider and auth kind (the provider catalog). An
/// OAuth provider's connect_url is opened through <see cref="GoToProvider"/>; credentials typed in a
/// form go to the create command and are never written back into a page.
/// </summary>
public static class ConsoleConnectionPages
{
    /// <summary>The generic provider whose connections bring their own endpoints (settings).</summary>
    private const string HttpProvider = "http";

    public static RouteGroupBuilder MapConnectionPages(this RouteGroupBuilder console)
    {
        console.MapGet("/connections", (HttpContext http, IMediator mediator, CancellationToken ct) => List(http, mediator, null, null, ct));
        console.MapPost("/connections", Create);
        return console;
    }

    private static async Task<IResult> List(HttpContext http, IMediator mediator, string? error, IFormCollection? typed, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListConnectionsQuery.Spec, new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor")));
        var page = await mediator.Send(new ListConnectionsQuery(http.User.Tenant(), query), ct);
        var providers = await mediator.Send(new ListProvidersQuery(), ct);
        var rows = string.Join("\n", page.Data.Select(c => $"""
            <tr><td><a href="/console/connections/{c.Id}">{E(c.DisplayName ?? c.Provider)}</a></td><td>{E(c.Provider)}</td><td>{Badge(c.Status)}</td>
            <td>{E(c.Account is null ? "—" : c.Account.Name ?? c.Account.Id)}</td><td>{Time(c.CreatedAt)}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a href="/console/connections?cursor={Uri.EscapeDataString(page.NextCursor!)}" id="next-page">Next page</a></p>""" : "";
        var forms = string.Join("\n", providers.SelectMany(p => p.AuthKinds.Select(kind => ConnectForm(http, p, kind, typed))));
        return Page(http, "Connections", $"""
            <h1>Connections</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            {(page.Data.Count == 0 ? "<p id=\"empty\">No connections yet. Connect a provider below.</p>" : $"""
            <table id="connections"><caption class="sr-only">Connections</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Account</th><th scope="col">Created</th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            {more}
            <section aria-labelledby="connect-title"><h2 id="connect-title">Connect a provider</h2>{forms}</section>
            """, error is null ? 200 : 422);
    }

    /// <summary>One provider and auth kind: its fields, prefixed by both so several forms share a page. Secrets are never prefilled.</summary>
    private static string ConnectForm(HttpContext http, ProviderDto provider, string kind, IFormCollection? typed)
    {
        var id = $"{provider.Id}-{kind}";
        var mine = typed is not null && typed["provider"] == provider.Id && typed["auth_kind"] == kind;
        string Kept(string name) => mine ? typed![name].ToString() : "";
        var title = $"{provider.DisplayName} ({KindLabel(kind)})";
        // Readiness is about the operator's OAuth client: an API token or key works without it.
        if (!provider.Ready && kind == AuthKinds.OAuth2Code)
            return $"""<h3>{E(title)}</h3><p class="muted" id="not-ready-{E(id)}">Not available yet: the platform operator has not configured this provider's OAuth client.</p>""";
        var scopes = kind == AuthKinds.OAuth2Code
            ? Field(id, "scopes", $"Scopes (optional, space-separated; default: {string.Join(" ", provider.Oauth?.DefaultScopes ?? [])})", Kept("scopes"))
            : "";
        return $"""
            <form method="post" action="/console/connections" id="connect-{E(id)}" class="stack" aria-labelledby="title-{E(id)}">
              <h3 id="title-{E(id)}">{E(title)}</h3>
              {Antiforgery(http)}{Hidden("provider", provider.Id)}{Hidden("auth_kind", kind)}
              {Field(id, "display_name", "Name (optional)", Kept("display_name"))}
              {scopes}
              {(kind == provider.SiteAuthKind ? SiteFields(id, Kept) : CredentialFields(id, kind))}
              {(provider.Id == HttpProvider ? SettingsFields(id, kind, Kept) : "")}
              <button type="submit" id="connect-{E(id)}-submit">Connect {E(provider.DisplayName)}</button>
            </form>
            """;
    }

    internal static string KindLabel(string kind) => kind switch
    {
        AuthKinds.OAuth2Code => "sign in with OAuth",
        AuthKinds.ApiKey => "API key",
        AuthKinds.Basic => "user name and password",
        AuthKinds.OAuth2ClientCredentials => "OAuth client credentials",
        _ => kind,
    };

    /// <summary>The credential inputs of an auth kind: password fields, empty, not remembered by the browser.</summary>
    internal static string CredentialFields(string id, string kind) => kind switch
    {
        AuthKinds.ApiKey => Secret(id, "api_key", "API key"),
        AuthKinds.Basic => Field(id, "username", "User name", "", required: true) + Secret(id, "password", "Password"),
        AuthKinds.OAuth2ClientCredentials => Field(id, "client_id", "Client ID", "", required: true) + Secret(id, "client_secret", "Client secret"),
        _ => "",
    };

    /// <summary>What the tenant typed, as the command takes it; blank fields are absent.</summary>
    internal static SuppliedCredentials? Credentials(IFormCollection form, string kind) => kind == AuthKinds.OAuth2Code
        ? null
        : new SuppliedCredentials(Value(form, "api_key"), Value(form, "username"), Value(form, "password"), Value(form, "client_id"), Value(form, "client_secret"));

    /// <summary>A connection that names its own site (Jira with an API token): the site, the account's e-mail and the token, sent as basic credentials.</summary>
    private static string SiteFields(string id, Func<string, string> kept) =>
        Field(id, "site", "Site (e.g. acme.atlassian.net)", kept("site"), required: true)
        + Field(id, "username", "E-mail", kept("username"), "email", required: true) + Secret(id, "password", "API token");

    private static string SettingsFields(string id, string kind, Func<string, string> kept) => $"""
        {Field(id, "base_url", "Base URL", kept("base_url"), "url", required: true)}
        {Field(id, "health_check_path", "Health check path (optional, e.g. /me)", kept("health_check_path"))}
        {Field(id, "account_id_path", "Account ID path (optional; data.<field> of its answer)", kept("account_id_path"))}
        {Field(id, "account_name_path", "Account name path (optional)", kept("account_name_path"))}
        {(kind == AuthKinds.ApiKey ? Field(id, "api_key_header", "API key header (optional; default: Authorization: Bearer)", kept("api_key_header")) : "")}
        {(kind == AuthKinds.OAuth2ClientCredentials ? Field(id, "token_url", "Token URL", kept("token_url"), "url", required: true) : "")}
        """;

    private static string Field(string id, string name, string label, string value, string type = "text", bool required = false) => $"""
        <label for="{E(id)}-{name}">{E(label)}</label>
        <input type="{type}" id="{E(id)}-{name}" name="{name}" value="{E(value)}"{(required ? " required" : "")}>
        """;

    private static string Secret(string id, string name, string label) => $"""
        <label for="{E(id)}-{name}">{E(label)}</label>
        <input type="password" id="{E(id)}-{name}" name="{name}" required autocomplete="off">
        """;

    private static string? Value(IFormCollection form, string name) => form[name].ToString().Trim() is { Length: > 0 } v ? v : null;

    private static async Task<IResult> Create(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var provider = Value(form, "provider");
        var kind = Value(form, "auth_kind") ?? "";
        try
        {
            var settings = provider == HttpProvider
                ? ConnectionRules.ParseSettings(new SettingsInput(Value(form, "base_url"), Value(form, "token_url"), Value(form, "health_check_path"),
                    Value(form, "account_id_path"), Value(form, "account_name_path"), Value(form, "api_key_header")))
                : Value(form, "site") is { } site ? ConnectionRules.ParseSettings(new SettingsInput(null, null, null, null, null, null, site)) : null;
            var scopes = Value(form, "scopes")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var created = await mediator.Send(new CreateConnectionCommand(http.User.Tenant(), provider, kind, Value(form, "display_name"), scopes,
                Credentials(form, kind), settings, kind == AuthKinds.OAuth2Code ? ReturnUrl(http) : null, Endpoints.ConnectionEndpoints.CallbackBase(http)), ct);
            return created.ConnectUrl is { } url ? GoToProvider(http, created.Connection, url) : SeeOther(http, $"/console/connections/{created.Connection.Id}");
        }
        catch (ValidationException ex)
        {
            return await List(http, mediator, string.Join(" ", ex.Errors.Select(e => e.Message)), form, ct);
        }
    }

    /// <summary>
    /// The provider's authorization page. Not a redirect: the CSP's form-action 'self' stops a form
    /// POST from being redirected to another origin, so this page follows the link with a meta refresh
    /// (no script) and shows it for a click too.
    /// </summary>
    internal static IResult GoToProvider(HttpContext http, ConnectionDto connection, string connectUrl)
    {
        var result = Page(http, "Continue at the provider", $"""
            <h1>Continue at {E(connection.Provider)}</h1>
            <p>Sign in at the provider and allow access; it sends you back here. The link works once, for a limited time.</p>
            <p><a class="button" id="continue-to-provider" href="{E(connectUrl)}" rel="noreferrer">Continue to {E(connection.Provider)}</a></p>
            <p><a href="/console/connections/{connection.Id}">Back to the connection</a></p>
            """);
        return new RefreshTo(result, connectUrl);
    }

    /// <summary>Adds the Refresh header (the meta refresh's HTTP form) to a page.</summary>
    private sealed class RefreshTo(IResult page, string url) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers["Refresh"] = $"0; url={url}";
            return page.ExecuteAsync(httpContext);
        }
    }

    /// <summary>Where the provider sends the browser back: the console's list, when it is an allowed return URL (https, or http on loopback).</summary>
    internal static string? ReturnUrl(HttpContext http)
    {
        var url = $"{http.Request.Scheme}://{http.Request.Host}/console/connections";
        return AppRules.IsAllowedRedirect(url) ? url : null;
    }
}
