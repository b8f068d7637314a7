using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>
/// GET /api/v1/admin/apps (issue 19, the operator's review queue): every developer's apps for the
/// admin key only, filtered by review status, never with a secret.
/// </summary>
public sealed class AppReviewQueueTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private static async Task<Guid> RegisterAsync(HttpClient developer, string name, bool submit)
    {
        var registered = await (await developer.PostAsJsonAsync("/api/v1/apps", new
        {
            name, description = "Review queue test.", redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" }, client_type = "confidential",
        })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = registered.GetProperty("app").GetProperty("id").GetGuid();
        if (submit) (await developer.PostAsync($"/api/v1/apps/{id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return id;
    }

    private async Task<List<Guid>> PendingAsync()
    {
        using var answer = await system.Admin.GetAsync("/api/v1/admin/apps?review_status=pending&limit=100");
        var text = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        text.ShouldNotContain("client_secret");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
    }

    [Fact]
    public async Task The_admin_sees_submitted_apps_of_every_developer_and_an_approved_one_leaves_the_queue()
    {
        var first = await system.CreateTenantWithKeyAsync();
        var second = await system.CreateTenantWithKeyAsync();
        var a = await RegisterAsync(first.Client, "Queue A", submit: true);
        var b = await RegisterAsync(second.Client, "Queue B", submit: true);
        var draft = await RegisterAsync(second.Client, "Queue draft", submit: false);

        var pending = await PendingAsync();
        pending.ShouldContain(a);
        pending.ShouldContain(b);
        pending.ShouldNotContain(draft);
        pending.IndexOf(b).ShouldBeLessThan(pending.IndexOf(a), "newest first");

        (await system.Admin.PostAsync($"/api/v1/admin/apps/{a}/approve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PendingAsync()).ShouldNotContain(a);
        var approved = await (await system.Admin.GetAsync("/api/v1/admin/apps?review_status=approved&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
        approved.GetProperty("data").EnumerateArray().Select(x => x.GetProperty("id").GetGuid()).ShouldContain(a);
    }

    [Fact]
    public async Task A_tenant_key_may_not_list_the_queue_and_a_bad_filter_is_refused()
    {
        var developer = await system.CreateTenantWithKeyAsync();
        (await developer.Client.GetAsync("/api/v1/admin/apps")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var refused = await (await system.Admin.GetAsync("/api/v1/admin/apps?review_status=maybe")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("invalid_review_status");
    }
}
