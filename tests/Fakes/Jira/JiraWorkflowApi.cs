using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Integrations.Fakes.Jira;

/// <summary>
/// Changing issues and Jira's dynamic webhooks, below the site's REST API v3
/// (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ and api-group-webhooks/):
/// <list type="bullet">
/// <item><c>GET /issue/{key}/transitions</c> → <c>{"transitions":[{id, name, to:{id, name}, hasScreen:false}]}</c>;
/// <c>POST /issue/{key}/transitions {"transition":{"id"}}</c> → 204, or 400 for a transition not available.</item>
/// <item><c>PUT /issue/{key} {"fields":{…}}</c> → 204 ("Edit issue").</item>
/// <item><c>POST /webhook {"url", "webhooks":[{events, jqlFilter}]}</c> → <c>{"webhookRegistrationResult":[{"createdWebhookId"}]}</c>;
/// <c>GET /webhook</c> → a page of <c>{id, jqlFilter, events, expirationDate}</c>; <c>PUT /webhook/refresh {"webhookIds"}</c> →
/// <c>{"expirationDate"}</c>; <c>DELETE /webhook {"webhookIds"}</c> → 202. Webhooks expire 30 days after registration or refresh, on the fake's clock.</item>
/// </list>
/// Every change made through the API is delivered to the matching webhooks as <c>jira:issue_updated</c>, like a change in Jira's UI
/// (<c>POST /_fake/jira/issues/{key}/change</c>).
/// </summary>
public static class JiraWorkflowApi
{
    /// <summary>The account the fake's API changes are made by (Jira names the user whose token made them).</summary>
    public const string AppUser = "5b10ac8d82e05b22cc7d4ef5";

    public static void MapJiraWorkflow(this RouteGroupBuilder api)
    {
        api.MapGet("/issue/{key}/transitions", (string key, HttpContext context, JiraSites sites) =>
            sites.Find(Site(context), key) is { } issue
                ? Results.Json(new JsonObject { ["expand"] = "transitions", ["transitions"] = TransitionsOf(issue) }, JiraRestApi.Atlassian)
                : NoIssue());

        api.MapPost("/issue/{key}/transitions", async (string key, HttpContext context, JiraSites sites, JiraWebhooks hooks) =>
        {
            if (sites.Find(Site(context), key) is not { } issue) return NoIssue();
            var body = await ReadAsync(context);
            var id = body?["transition"]?["id"]?.GetValueKind() == JsonValueKind.String ? body["transition"]!["id"]!.GetValue<string>() : null;
            if (id is null || sites.Transition(issue, id) is not { } change)
                return JiraRestApi.Error(400, [$"Transition id '{id}' is not valid for this issue."]);
            await hooks.IssueUpdatedAsync(issue, ProjectOf(issue), new JsonArray(change), AppUser);
            return Results.NoContent();
        });

        api.MapPut("/issue/{key}", async (string key, HttpContext context, JiraSites sites, JiraWebhooks hooks) =>
        {
            if (sites.Find(Site(context), key) is not { } issue) return NoIssue();
            if ((await ReadAsync(context))?["fields"] is not JsonObject fields) return JiraRestApi.Error(400, ["Request body must have fields."]);
            if (fields.ContainsKey("status")) return JiraRestApi.Error(400, [], new() { ["status"] = "Field 'status' cannot be set. It is not on the appropriate screen, or unknown." });
            var changes = sites.Edit(issue, fields);
            if (changes.Count > 0) await hooks.IssueUpdatedAsync(issue, ProjectOf(issue), changes, AppUser);
            return Results.NoContent();
        });

        api.MapPost("/webhook", async (HttpContext context, JiraWebhooks hooks) =>
        {
            var body = await ReadAsync(context);
            var url = body?["url"]?.GetValueKind() == JsonValueKind.String ? body["url"]!.GetValue<string>() : null;
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out _) || body!["webhooks"] is not JsonArray list || list.Count == 0)
                return JiraRestApi.Error(400, ["url and webhooks are required."]);
            var results = new JsonArray();
            foreach (var hook in list)
            {
                var events = (hook?["events"] as JsonArray)?.Select(e => e?.GetValue<string>()).OfType<string>().ToList() ?? [];
                var jql = hook?["jqlFilter"]?.GetValue<string>();
                results.Add(events.Count == 0 || string.IsNullOrWhiteSpace(jql)
                    ? new JsonObject { ["errors"] = new JsonArray("Webhook must have events and a JQL filter.") }
                    : new JsonObject { ["createdWebhookId"] = hooks.Register(Site(context), url, events, jql).Id });
            }
            return Results.Json(new JsonObject { ["webhookRegistrationResult"] = results }, JiraRestApi.Atlassian);
        });

        api.MapGet("/webhook", (HttpContext context, JiraWebhooks hooks) =>
        {
            var all = hooks.Of(Site(context));
            return Results.Json(new
            {
                startAt = 0, maxResults = 100, total = all.Count, isLast = true,
                values = all.Select(h => new { id = h.Id, jqlFilter = h.JqlFilter, events = h.Events, expirationDate = JiraWebhooks.Format(h.ExpiresAt) }),
            }, JiraRestApi.Atlassian);
        });

        api.MapPut("/webhook/refresh", async (HttpContext context, JiraWebhooks hooks) =>
            Ids(await ReadAsync(context)) is { Count: > 0 } ids
                ? Results.Json(new { expirationDate = JiraWebhooks.Format(hooks.Refresh(Site(context), ids)) }, JiraRestApi.Atlassian)
                : JiraRestApi.Error(400, ["webhookIds is required."]));

        api.MapDelete("/webhook", async (HttpContext context, JiraWebhooks hooks) =>
        {
            if (Ids(await ReadAsync(context)) is not { Count: > 0 } ids) return JiraRestApi.Error(400, ["webhookIds is required."]);
            hooks.Delete(Site(context), ids);
            return Results.Accepted();
        });
    }

    /// <summary>
    /// The transitions available from the issue's status ("Get transitions", and "Get issue" with <c>expand=transitions</c>):
    /// <c>{id, name, to:{id, name}, hasScreen, isGlobal, isInitial, isAvailable, isConditional}</c>.
    /// </summary>
    public static JsonArray TransitionsOf(JiraIssueRecord issue) => new(JiraSites.Statuses
        .Where(s => s.Id != issue.Fields["status"]!["id"]!.GetValue<string>())
        .Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.TransitionId, ["name"] = "Move to " + s.Name, ["to"] = StatusDetails(s), ["hasScreen"] = false, ["isGlobal"] = true,
            ["isInitial"] = false, ["isAvailable"] = true, ["isConditional"] = false,
        }).ToArray());

    /// <summary>A transition's target as Jira describes a status (StatusDetails: self, description, iconUrl, name, id, statusCategory).</summary>
    private static JsonObject StatusDetails((string Id, string Name, string TransitionId) status)
    {
        var (key, color, category) = status.Name switch { "To Do" => ("new", "blue-gray", "2"), "Done" => ("done", "green", "3"), _ => ("indeterminate", "yellow", "4") };
        return new JsonObject
        {
            ["self"] = $"https://your-domain.atlassian.net/rest/api/3/status/{status.Id}",
            ["description"] = $"The issue is {status.Name.ToLowerInvariant()}: the status every project of the site shares in its workflow.",
            ["iconUrl"] = "https://your-domain.atlassian.net/images/icons/statuses/generic.png",
            ["name"] = status.Name, ["id"] = status.Id,
            ["statusCategory"] = new JsonObject
            {
                ["self"] = $"https://your-domain.atlassian.net/rest/api/3/statuscategory/{category}", ["id"] = int.Parse(category, System.Globalization.CultureInfo.InvariantCulture),
                ["key"] = key, ["colorName"] = color, ["name"] = status.Name,
            },
        };
    }

    private static List<long>? Ids(JsonObject? body) =>
        (body?["webhookIds"] as JsonArray)?.Select(i => i?.GetValueKind() == JsonValueKind.Number ? i.GetValue<long>() : -1).Where(i => i > 0).ToList();

    private static string ProjectOf(JiraIssueRecord issue) => issue.Key.Split('-')[0];

    private static string Site(HttpContext context) => ResourceAuthentication.AccountOf(context).Id;

    private static IResult NoIssue() => JiraRestApi.Error(404, ["Issue does not exist or you do not have permission to see it."]);

    private static async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
