using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Jira;

/// <summary>The Jira fake's part of the control API (<c>/_fake/jira/…</c>): the issues created, and projects to add to a site.</summary>
public static class JiraControlApi
{
    public sealed record ProjectBody(string Site, string Id, string Key, string Name, List<string>? IssueTypes);

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
    }
}
