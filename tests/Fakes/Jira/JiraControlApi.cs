using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Jira;

/// <summary>
/// The Jira fake's part of the control API (<c>/_fake/jira/…</c>): the issues created, projects to add
/// to a site, a change made by someone in Jira (a transition and/or fields, delivered to the matching
/// webhooks as <c>jira:issue_updated</c>: <c>{delivered}</c>), and the webhook deliveries sent.
/// </summary>
public static class JiraControlApi
{
    public sealed record ProjectBody(string Site, string Id, string Key, string Name, List<string>? IssueTypes);

    public sealed record WebhookBody(string Site, string Url, List<string>? Events, string? JqlFilter);

    public sealed record ChangeBody(string Site, string? TransitionId, System.Text.Json.Nodes.JsonObject? Fields, string? AccountId);

    public static void MapJiraControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/jira");
        control.MapGet("/issues", (JiraSites sites, string? site) => Results.Ok(new
        {
            data = sites.Issues(site).Select(i => new { id = i.Id, key = i.Key, site = i.Site, fields = i.Fields, created = i.Created }),
        }));
        control.MapPost("/projects", async (HttpRequest request, JiraSites sites) =>
        {
            var (body, error) = await ControlApi.ReadAsync<ProjectBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Site) || string.IsNullOrEmpty(body.Id) || string.IsNullOrEmpty(body.Key) || string.IsNullOrEmpty(body.Name))
                return ControlApi.Invalid("site, id, key and name are required");
            sites.AddProject(body.Site, new JiraProject(body.Id, body.Key, body.Name, body.IssueTypes is { Count: > 0 } types ? types : ["Task", "Bug"]));
            return Results.NoContent();
        });
        control.MapPost("/issues/{key}/change", async (string key, HttpRequest request, JiraSites sites, JiraWebhooks hooks) =>
        {
            var (body, error) = await ControlApi.ReadAsync<ChangeBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Site) || sites.Find(body.Site, key) is not { } issue) return ControlApi.Invalid("site must name the site of an existing issue");
            var changes = new System.Text.Json.Nodes.JsonArray();
            if (body.TransitionId is { } transition)
            {
                if (sites.Transition(issue, transition) is not { } change) return ControlApi.Invalid($"transition {transition} is not available from the issue's status");
                changes.Add(change);
            }
            if (body.Fields is { } fields)
                foreach (var item in sites.Edit(issue, fields).ToList()) changes.Add(item!.DeepClone());
            if (changes.Count == 0) return ControlApi.Invalid("name a transition_id and/or fields that change the issue");
            var delivered = await hooks.IssueUpdatedAsync(issue, key.Split('-')[0], changes, body.AccountId ?? "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077");
            return Results.Ok(new { delivered });
        });
        // Registers a dynamic webhook for a site as an app would with POST /webhook (tests that do not go through the platform's registration).
        control.MapPost("/webhooks", async (HttpRequest request, JiraWebhooks hooks) =>
        {
            var (body, error) = await ControlApi.ReadAsync<WebhookBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Site) || !Uri.TryCreate(body.Url, UriKind.Absolute, out _)) return ControlApi.Invalid("site and an absolute url are required");
            var hook = hooks.Register(body.Site, body.Url, body.Events is { Count: > 0 } events ? events : ["jira:issue_updated"], body.JqlFilter ?? "project = OPS");
            return Results.Ok(new { id = hook.Id });
        });
        control.MapGet("/webhooks/sent", (JiraWebhooks hooks) => Results.Ok(new { data = hooks.Sent() }));
        // The site's live dynamic webhooks of every app and user, with their URL (Jira's own listing shows only the caller's, without it).
        control.MapGet("/webhooks", (JiraWebhooks hooks, string site) => Results.Ok(new
        {
            data = hooks.Of(site).Select(h => new { id = h.Id, url = h.Url, events = h.Events, jql_filter = h.JqlFilter, expires_at = h.ExpiresAt }),
        }));
        // Someone removed the webhook at Jira (an admin, or the app's grant ended): the platform must notice and register again.
        control.MapDelete("/webhooks/{id:long}", (long id, JiraWebhooks hooks, string site) =>
        {
            hooks.Delete(site, [id]);
            return Results.NoContent();
        });
    }
}
