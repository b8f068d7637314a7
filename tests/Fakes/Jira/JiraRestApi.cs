using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common.Auth;
using Integrations.Fakes.Common.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Integrations.Fakes.Jira;

/// <summary>
/// The Jira Cloud REST API v3 subset the platform calls, behind the OAuth core's bearer tokens:
/// <list type="bullet">
/// <item><c>GET /oauth/token/accessible-resources</c> (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/,
/// "Get the cloudid for your site"): the sites the token reaches, <c>[{id, url, name, scopes, avatarUrl}]</c>.</item>
/// <item>Under <c>/ex/jira/{cloudid}/rest/api/3</c> (the API gateway address of 3LO apps): a token works only
/// for its own site (401 otherwise).</item>
/// <item>Under <c>/rest/api/3</c> (a site's own host) with Basic for an e-mail and API token (<see cref="MapJiraSiteHost"/>).</item>
/// <item><c>GET /myself</c> (api-group-myself, "Get current user"): <c>{accountId, accountType, emailAddress, displayName, active}</c>.</item>
/// <item><c>GET /project/search</c> (api-group-projects, "Get projects paginated"): <c>{startAt, maxResults, total, isLast, values}</c>.</item>
/// <item><c>POST /issue</c> (api-group-issues, "Create issue"): <c>{"fields": …}</c>, project by key or id, issue type by
/// name or id, a summary (at most 255 characters, one line), a description in ADF (apis/document/structure/:
/// <c>{"type":"doc","version":1,"content":[…]}</c>, text nodes non-empty), labels without spaces → <c>201 {id, key, self}</c>.</item>
/// <item><c>GET /issue/{issueIdOrKey}</c> ("Get issue"): <c>{expand, id, key, self, fields}</c>; <c>fields</c> (comma-separated, repeatable)
/// returns only those fields (<c>*all</c>: all; the default is all); <c>expand=transitions</c> adds <c>transitions</c>, the transitions
/// available from the issue's status as "Get transitions" lists them.</item>
/// </list>
/// Errors in Jira's shape: <c>{"errorMessages": […], "errors": {field: message}}</c> (rest/v3/intro/, "Status codes").
/// </summary>
public static class JiraRestApi
{
    /// <summary>Jira's JSON as it writes it (camelCase names as given, nulls kept), not the fakes' snake_case control API.</summary>
    public static readonly JsonSerializerOptions Atlassian = new(JsonSerializerDefaults.General);

    /// <returns>The gateway's REST API group (<c>/ex/jira/{cloudId}/rest/api/3</c>) for OAuth tokens, for <see cref="MapJiraSiteApi"/>.</returns>
    public static RouteGroupBuilder MapJiraRestApi(this WebApplication app)
    {
        app.MapGet("/oauth/token/accessible-resources", (HttpContext context) =>
        {
            var site = ResourceAuthentication.AccountOf(context);
            return Results.Json(new[]
            {
                new { id = site.Id, url = SiteUrl(site), name = site.Name, scopes = new[] { "read:jira-work", "write:jira-work", "manage:jira-webhook" }, avatarUrl = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png" },
            }, Atlassian);
        }).RequireFakeAuthentication();

        var api = app.MapGroup("/ex/jira/{cloudId}/rest/api/3").RequireFakeAuthentication();
        api.AddEndpointFilter(async (context, next) =>
        {
            var site = ResourceAuthentication.AccountOf(context.HttpContext);
            return context.HttpContext.GetRouteValue("cloudId") as string == site.Id
                ? await next(context)
                : Results.Json(new { code = 401, message = "Unauthorized; scope does not match" }, Atlassian, statusCode: 401);
        });
        return api;
    }

    /// <summary>
    /// The site's own REST API for an API token with the account's e-mail (developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/:
    /// <c>Authorization: Basic base64(email:api_token)</c> on <c>https://{site}.atlassian.net/rest/api/3</c>). The fake has one
    /// host, so it serves that API at its root, <c>/rest/api/3</c>, for the Basic users it is configured with
    /// (<c>--Auth:Users=email:token=&lt;cloud id&gt;</c>), each reaching the site it names.
    /// </summary>
    public static RouteGroupBuilder MapJiraSiteHost(this WebApplication app) => app.MapGroup("/rest/api/3").RequireFakeBasicAuthentication();

    /// <summary>The API of one site below either address (the gateway's for OAuth tokens, the site's own host for API tokens).</summary>
    public static RouteGroupBuilder MapJiraSiteApi(this RouteGroupBuilder api)
    {
        // "Get current user" (api-group-myself): the caller; with no valid credentials Jira answers 401 here, unlike reads open to anonymous users.
        api.MapGet("/myself", (HttpContext context) =>
        {
            var user = context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
                && BasicCredentials.Decode(context.Request.Headers.Authorization.ToString()[6..]) is var (email, _) ? email : null;
            var accountId = user is null ? JiraWorkflowApi.AppUser : "557058:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(user)))[..24];
            return Results.Json(new
            {
                self = $"{Self(context)}/user?accountId={accountId}", accountId, accountType = "atlassian", emailAddress = user,
                displayName = JiraChangelog.DisplayName(accountId), active = true, timeZone = "Etc/UTC", locale = "en_US",
            }, Atlassian);
        });

        api.MapGet("/project/search", (HttpContext context, JiraSites sites, int? startAt, int? maxResults) =>
        {
            var site = ResourceAuthentication.AccountOf(context);
            var all = sites.ProjectsOf(site.Id);
            int start = Math.Max(0, startAt ?? 0), size = Math.Clamp(maxResults ?? 50, 1, 100);
            var page = all.Skip(start).Take(size).Select(p => new { id = p.Id, key = p.Key, name = p.Name, projectTypeKey = "software", self = $"{Self(context)}/project/{p.Id}" });
            return Results.Json(new { self = Self(context) + "/project/search", maxResults = size, startAt = start, total = all.Count, isLast = start + size >= all.Count, values = page }, Atlassian);
        });

        api.MapPost("/issue", async (HttpContext context, JiraSites sites, TimeProvider clock) =>
        {
            var site = ResourceAuthentication.AccountOf(context);
            JsonObject? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            }
            catch (JsonException)
            {
                body = null;
            }
            if (body?["fields"] is not JsonObject fields) return Error(400, ["Request body is not a JSON object with fields."]);
            var (project, errors) = Validate(fields, sites.ProjectsOf(site.Id));
            if (errors.Count > 0) return Error(400, [], errors);
            var issue = sites.Create(site.Id, project!, fields, clock.GetUtcNow());
            return Results.Json(new { id = issue.Id, key = issue.Key, self = $"{Self(context)}/issue/{issue.Id}" }, Atlassian, statusCode: 201);
        });

        api.MapGet("/issue/{issueIdOrKey}", (string issueIdOrKey, HttpContext context, JiraSites sites) =>
            sites.Find(ResourceAuthentication.AccountOf(context).Id, issueIdOrKey) is { } issue
                ? Results.Json(IssueAnswer(issue, context), Atlassian)
                : Error(404, ["Issue does not exist or you do not have permission to see it."]));
        return api;
    }

    /// <summary>"Get issue": the fields asked for (all by default) and, with <c>expand=transitions</c>, the transitions available.</summary>
    private static JsonObject IssueAnswer(JiraIssueRecord issue, HttpContext context)
    {
        static IEnumerable<string> Listed(HttpContext context, string name) =>
            context.Request.Query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var wanted = Listed(context, "fields").ToList();
        var fields = wanted.Count == 0 || wanted.Contains("*all")
            ? (JsonObject)issue.Fields.DeepClone()
            : new JsonObject(issue.Fields.Where(f => wanted.Contains(f.Key)).Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone())));
        var answer = new JsonObject
        {
            ["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            ["id"] = issue.Id, ["key"] = issue.Key, ["self"] = $"{Self(context)}/issue/{issue.Id}", ["fields"] = fields,
        };
        if (Listed(context, "expand").Contains("transitions")) answer["transitions"] = JiraWorkflowApi.TransitionsOf(issue);
        return answer;
    }

    /// <summary>Jira's error body: <c>{"errorMessages": [...], "errors": {...}}</c>.</summary>
    public static IResult Error(int status, string[] messages, Dictionary<string, string>? errors = null) =>
        Results.Json(new { errorMessages = messages, errors = errors ?? [] }, Atlassian, statusCode: status);

    /// <summary>The checks Jira makes that a wrong client would trip: the create screen's required fields, ADF's shape, labels.</summary>
    private static (JiraProject? Project, Dictionary<string, string> Errors) Validate(JsonObject fields, IReadOnlyList<JiraProject> projects)
    {
        var errors = new Dictionary<string, string>();
        var projectRef = fields["project"] as JsonObject;
        var project = projects.FirstOrDefault(p => Text(projectRef?["key"]) == p.Key || Text(projectRef?["id"]) == p.Id);
        if (project is null) errors["project"] = "Specify a valid project ID or key";
        var typeRef = fields["issuetype"] as JsonObject;
        if (typeRef is null) errors["issuetype"] = "Specify an issue type";
        else if (project is not null && !project.IssueTypes.Contains(Text(typeRef["name"]) ?? Text(typeRef["id"]) ?? ""))
            errors["issuetype"] = "Specify a valid issue type";
        if (Text(fields["summary"]) is not { Length: > 0 } summary) errors["summary"] = "You must specify a summary of the issue.";
        else if (summary.Length > 255) errors["summary"] = "Summary must be less than 255 characters.";
        else if (summary.Contains('\n')) errors["summary"] = "The summary is invalid because it contains newline characters.";
        if (fields["description"] is { } description && !IsAdfDoc(description)) errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format).";
        if (fields["labels"] is { } labels && (labels is not JsonArray list || list.Any(l => Text(l) is not { Length: > 0 } t || t.Any(char.IsWhiteSpace))))
            errors["labels"] = "The label must not contain spaces.";
        return (project, errors);
    }

    /// <summary>ADF minimally: a doc of version 1 whose content is an array of nodes with a type, every text node non-empty.</summary>
    private static bool IsAdfDoc(JsonNode doc) =>
        doc is JsonObject o && Text(o["type"]) == "doc" && o["version"]?.GetValueKind() == JsonValueKind.Number && o["version"]!.GetValue<int>() == 1
        && o["content"] is JsonArray content && content.All(ValidNode);

    private static bool ValidNode(JsonNode? node) =>
        node is JsonObject o && Text(o["type"]) is { Length: > 0 } type
        && (type != "text" || Text(o["text"]) is { Length: > 0 })
        && (o["content"] is null || o["content"] is JsonArray children && children.All(ValidNode));

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static string Self(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}"
        + (context.GetRouteValue("cloudId") is string cloudId ? $"/ex/jira/{cloudId}/rest/api/3" : "/rest/api/3");

    private static string SiteUrl(Account site) => $"https://{site.Name.ToLowerInvariant().Replace(' ', '-')}.atlassian.net";
}
