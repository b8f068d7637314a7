using Integrations.Application.Apps;
using Integrations.Application.Apps.Commands.RegisterApp;
using Integrations.Application.Apps.Commands.RotateAppSecret;
using Integrations.Application.Apps.Commands.SubmitApp;
using Integrations.Application.Apps.Commands.UpdateApp;
using Integrations.Application.Apps.Queries.GetApp;
using Integrations.Application.Apps.Queries.ListApps;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The organisation's developer portal: its OAuth apps (GET /api/v1/apps), registering one
/// (POST, the client secret shown once), redirect URIs (PATCH), rotating the secret
/// (POST …/rotate-secret, shown once) and submitting it for the marketplace review (POST …/submit).
/// A private app is installable by the owner and the organisations it lists.
/// </summary>
public static class ConsoleDeveloperAppPages
{
    private sealed record AppForm(string Name, string Description, string Category, string HomepageUrl, string RedirectUris, IReadOnlyList<string> Scopes,
        string ClientType, string AllowedTenants);

    public static RouteGroupBuilder MapDeveloperAppPages(this RouteGroupBuilder console)
    {
        console.MapGet("/apps", List);
        console.MapGet("/apps/new", (HttpContext http) => Form(http, null, new AppForm("", "", AppCategories.Other, "", "", [], "confidential", "")));
        console.MapPost("/apps", Register);
        console.MapGet("/apps/{id:guid}", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            Detail(http, await mediator.Send(new GetAppQuery(http.User.Tenant(), id), ct), null, null));
        console.MapPost("/apps/{id:guid}/redirect-uris", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            try
            {
                var app = await mediator.Send(new UpdateAppCommand(http.User.Tenant(), id, null, null, null, null, null, Lines(form["redirect_uris"].ToString())), ct);
                return Detail(http, app, "Redirect URIs saved.", null);
            }
            catch (ValidationException ex)
            {
                return Detail(http, await mediator.Send(new GetAppQuery(http.User.Tenant(), id), ct), null, Message(ex), status: 422);
            }
        });
        console.MapPost("/apps/{id:guid}/rotate-secret", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            if (http.User.IsEmbedded()) return Refused(http);
            var secret = await mediator.Send(new RotateAppSecretCommand(http.User.Tenant(), id), ct);
            return Detail(http, await mediator.Send(new GetAppQuery(http.User.Tenant(), id), ct), null, null, secret: (secret.ClientSecret, true));
        });
        console.MapPost("/apps/{id:guid}/submit", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            Detail(http, await mediator.Send(new SubmitAppCommand(http.User.Tenant(), id), ct), "Submitted: the platform reviews the app before it is listed in the marketplace.", null));
        return console;
    }

    // A client secret outlives an embed link's minutes, like an API key (ADR 0019).
    private static IResult Refused(HttpContext http) =>
        Error(http, 403, "Not available here", "Apps are registered, and their secrets rotated, by a member who signed in, not in an embedded console.");

    private static string Message(ValidationException ex) => string.Join(" ", ex.Errors.Select(e => e.Message));

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    private static async Task<IResult> List(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListAppsQuery.Spec, new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor")));
        var page = await mediator.Send(new ListAppsQuery(http.User.Tenant(), query), ct);
        var rows = string.Join("\n", page.Data.Select(a => $"""
            <tr><td><a href="/console/apps/{a.Id}">{E(a.Name)}</a></td><td><code>{E(a.ClientId)}</code></td><td>{E(a.ClientType)}</td><td>{Badge(a.Visibility)}</td>
            <td>{Badge(a.ReviewStatus)}</td><td>{Time(a.CreatedAt)}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a id="next-page" href="/console/apps?cursor={Uri.EscapeDataString(page.NextCursor!)}">Next page</a></p>""" : "";
        return Page(http, "Your apps", $"""
            <h1>Your apps</h1>
            <p class="muted">OAuth apps your organisation develops. A new app is private: the organisation and those it lists may install it; submit it for review to list it in the marketplace.</p>
            {(http.User.IsEmbedded() ? "" : "<p><a href=\"/console/apps/new\" id=\"register-app\">Register an app</a></p>")}
            {OperatorHealthPages.Table("apps", "Your apps", ["App", "Client ID", "Type", "Visibility", "Review", "Registered"], rows, "No apps yet.")}
            {more}
            """);
    }

    private static async Task<IResult> Register(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        if (http.User.IsEmbedded()) return Refused(http);
        var form = await http.Request.ReadFormAsync(ct);
        var values = new AppForm(form["name"].ToString().Trim(), form["description"].ToString().Trim(), form["category"].ToString(), form["homepage_url"].ToString().Trim(),
            form["redirect_uris"].ToString(), form["scopes"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList(), form["client_type"].ToString(),
            form["allowed_tenant_ids"].ToString());
        try
        {
            var allowed = Lines(values.AllowedTenants).Select(t => Guid.TryParse(t, out var id) ? id
                : throw new ValidationException([new ValidationError("allowed_tenant_ids", "invalid", $"“{t}” is not an organisation ID.")])).ToList();
            var registered = await mediator.Send(new RegisterAppCommand(http.User.Tenant(), values.Name, values.Description.Length == 0 ? null : values.Description,
                values.HomepageUrl.Length == 0 ? null : values.HomepageUrl, null, null, Lines(values.RedirectUris), values.Scopes, values.ClientType, allowed, values.Category), ct);
            return Detail(http, registered.App, "App registered.", null, registered.ClientSecret is { } s ? (s, false) : null);
        }
        catch (ValidationException ex)
        {
            return Form(http, Message(ex), values);
        }
    }

    private static IResult Form(HttpContext http, string? error, AppForm v)
    {
        string Checked(bool on) => on ? " checked" : "";
        var scopes = string.Join("\n", OAuthScopes.Catalogue.Select((s, i) => $"""
            <li><input type="checkbox" name="scopes" value="{E(s.Key)}" id="scope-{i}"{Checked(v.Scopes.Contains(s.Key))}>
            <label for="scope-{i}"><code>{E(s.Key)}</code> <span class="muted">{E(s.Value)}</span></label></li>
            """));
        var categories = string.Join("", AppCategories.Labels.Select(c => $"<option value=\"{E(c.Key)}\"{(c.Key == v.Category ? " selected" : "")}>{E(c.Value)}</option>"));
        return Page(http, "Register an app", $"""
            <p><a href="/console/apps">← Your apps</a></p>
            <h1>Register an app</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/apps" id="app-form" class="stack">{Antiforgery(http)}
              <label for="app-name">Name</label><input type="text" id="app-name" name="name" required maxlength="100" value="{E(v.Name)}">
              <label for="app-description">Description (optional)</label><textarea id="app-description" name="description" rows="3" maxlength="2000">{E(v.Description)}</textarea>
              <label for="app-category">Category</label><select id="app-category" name="category">{categories}</select>
              <label for="app-homepage">Homepage (optional, https)</label><input type="url" id="app-homepage" name="homepage_url" value="{E(v.HomepageUrl)}">
              <label for="app-redirect-uris">Redirect URIs (one a line; https, or http on a loopback address)</label>
              <textarea id="app-redirect-uris" name="redirect_uris" rows="3" required spellcheck="false">{E(v.RedirectUris)}</textarea>
              <fieldset><legend>Scopes the app may request</legend><ul class="types">{scopes}</ul></fieldset>
              <fieldset><legend>Client type</legend>
                <input type="radio" name="client_type" value="confidential" id="type-confidential"{Checked(v.ClientType != "public")}><label for="type-confidential">Confidential (a server keeps a client secret)</label>
                <input type="radio" name="client_type" value="public" id="type-public"{Checked(v.ClientType == "public")}><label for="type-public">Public (no secret; PKCE)</label>
              </fieldset>
              <label for="app-allowed">Other organisations that may install it while private (organisation IDs, one a line; optional)</label>
              <textarea id="app-allowed" name="allowed_tenant_ids" rows="2" spellcheck="false">{E(v.AllowedTenants)}</textarea>
              <button type="submit" id="register">Register app</button>
            </form>
            """, error is null ? 200 : 422);
    }

    /// <param name="secret">The client secret, on the answer that made it only (registration, or a rotation).</param>
    private static IResult Detail(HttpContext http, AppDto a, string? notice, string? error, (string Value, bool Rotated)? secret = null, int status = 200)
    {
        var self = $"/console/apps/{a.Id}";
        var shown = secret is not { } s ? "" : $"""
            <section class="notice" id="secret-shown" role="status"><h2>{(s.Rotated ? "New client secret" : "Client secret")}</h2>
            <p>Copy it now: it is shown only this once{(s.Rotated ? "; the previous secret stopped working" : "")}.</p><p><code id="client-secret">{E(s.Value)}</code></p></section>
            """;
        var canSubmit = a.ReviewStatus is not (AppReviewStatuses.Pending or AppReviewStatuses.Approved);
        return Page(http, a.Name, $"""
            <p><a href="/console/apps">← Your apps</a></p>
            <h1 id="app-name">{E(a.Name)}</h1>
            {(notice is null ? "" : $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>")}
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            {shown}
            <dl class="facts">
              <dt>Client ID</dt><dd><code id="client-id">{E(a.ClientId)}</code></dd><dt>Type</dt><dd>{E(a.ClientType)}</dd>
              <dt>Visibility</dt><dd id="visibility">{Badge(a.Visibility)}</dd>
              <dt>Review</dt><dd id="review-status">{Badge(a.ReviewStatus)} {E(a.ReviewReason)}</dd>
              <dt>Scopes</dt><dd>{E(string.Join(" ", a.Scopes))}</dd>
              <dt>Category</dt><dd>{E(AppCategories.Labels.GetValueOrDefault(a.Category, a.Category))}</dd>
              <dt>Installable by</dt><dd id="allowed-tenants">{(a.Visibility == AppVisibilities.Public ? "every organisation" : E(string.Join(", ", new[] { "your organisation" }.Concat(a.AllowedTenantIds.Select(t => t.ToString())))))}</dd>
            </dl>
            <form method="post" action="{self}/redirect-uris" id="redirect-form" class="stack">{Antiforgery(http)}
              <label for="redirect-uris">Redirect URIs (one a line)</label>
              <textarea id="redirect-uris" name="redirect_uris" rows="3" required spellcheck="false">{E(string.Join("\n", a.RedirectUris))}</textarea>
              <button type="submit" id="save-redirect-uris">Save redirect URIs</button>
            </form>
            {(a.ClientType == "confidential" && !http.User.IsEmbedded() ? PostButton(http, $"{self}/rotate-secret", "Rotate client secret", "rotate-secret",
                "Rotate the client secret? The current one stops working at once.") : "")}
            {(canSubmit ? PostButton(http, $"{self}/submit", "Submit for review", "submit-app", "Submit the app for the marketplace review?") : "")}
            """, status);
    }
}
