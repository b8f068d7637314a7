using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Schedules;

/// <summary>Schedules through the API: their lifecycle, what is refused (and changes nothing), and tenant isolation.</summary>
[Collection(SchedulesCollection.Name)]
public sealed class ScheduleApiTests(SchedulesSystem system)
{
    private object Job(string path = "/api/records") =>
        new { kind = "http_poll", config = new { url = new Uri(system.Fake.BaseAddress, path).ToString(), cursor_field = "seq" } };

    [Fact]
    public async Task A_schedule_is_created_read_listed_retimed_paused_resumed_run_now_and_deleted()
    {
        var tenant = await system.TenantAsync();
        var before = DateTimeOffset.UtcNow;
        var created = await SchedulesSystem.CreateAsync(tenant.Client, new { name = "Nightly", cron = "0 2 * * *", time_zone = "Europe/Amsterdam", job = Job() });
        var id = created.GetProperty("id").GetGuid();
        created.GetProperty("status").GetString().ShouldBe("active");
        created.GetProperty("cron").GetString().ShouldBe("0 2 * * *");
        created.GetProperty("time_zone").GetString().ShouldBe("Europe/Amsterdam");
        created.GetProperty("job").GetProperty("kind").GetString().ShouldBe("http_poll");
        created.GetProperty("job").GetProperty("config").GetProperty("id_field").GetString().ShouldBe("id", "the job stores its defaults");
        var next = created.GetProperty("next_run_at").GetDateTimeOffset();
        next.ShouldBeGreaterThan(before);
        // 02:00 in Amsterdam is 01:00 UTC in winter (no jitter in tests).
        next.ToUniversalTime().TimeOfDay.ShouldBe(TimeSpan.FromHours(1));
        created.GetProperty("checkpoint").ValueKind.ShouldBe(JsonValueKind.Null);

        (await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString().ShouldBe("Nightly");
        var list = await (await tenant.Client.GetAsync("/api/v1/schedules?status=active")).ShouldBeJsonAsync(HttpStatusCode.OK);
        list.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldBe([id]);

        var retimed = await (await tenant.Client.PatchAsJsonAsync($"/api/v1/schedules/{id}", new { interval_seconds = 45, name = "" }))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        retimed.GetProperty("interval_seconds").GetInt32().ShouldBe(45);
        retimed.GetProperty("cron").ValueKind.ShouldBe(JsonValueKind.Null);
        retimed.GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
        retimed.GetProperty("next_run_at").GetDateTimeOffset().ShouldBeLessThan(DateTimeOffset.UtcNow.AddSeconds(46));

        var paused = await (await tenant.Client.PostAsync($"/api/v1/schedules/{id}/pause", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        paused.GetProperty("status").GetString().ShouldBe("paused");
        paused.GetProperty("next_run_at").ValueKind.ShouldBe(JsonValueKind.Null);
        (await (await tenant.Client.PostAsync($"/api/v1/schedules/{id}/pause", null)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString()
            .ShouldBe("paused");
        (await (await tenant.Client.GetAsync("/api/v1/schedules?status=paused")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(1);

        var resumed = await (await tenant.Client.PostAsync($"/api/v1/schedules/{id}/resume", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        resumed.GetProperty("status").GetString().ShouldBe("active");
        resumed.GetProperty("next_run_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddSeconds(30));

        var requested = await (await tenant.Client.PostAsync($"/api/v1/schedules/{id}/run", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        requested.GetProperty("run_requested").GetBoolean().ShouldBeTrue();
        (await SchedulesSystem.RunsAsync(tenant.Client, id)).ShouldBeEmpty("no Workers process runs schedules in this test");

        (await tenant.Client.DeleteAsync($"/api/v1/schedules/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}/runs")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        await (await tenant.Client.DeleteAsync($"/api/v1/schedules/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
    }

    [Fact]
    public async Task Schedules_page_by_cursor_newest_first_with_the_fields_asked_for()
    {
        var tenant = await system.TenantAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add((await SchedulesSystem.CreateAsync(tenant.Client, new { interval_seconds = 60 + i, job = Job() })).GetProperty("id").GetGuid());

        var first = await (await tenant.Client.GetAsync("/api/v1/schedules?limit=2&fields=id,interval_seconds")).ShouldBeJsonAsync(HttpStatusCode.OK);
        first.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        var page = first.GetProperty("data").EnumerateArray().ToList();
        page.Select(s => s.GetProperty("id").GetGuid()).ShouldBe([ids[2], ids[1]]);
        page[0].TryGetProperty("job", out _).ShouldBeFalse("only the fields asked for");
        page[0].GetProperty("interval_seconds").GetInt32().ShouldBe(62);

        var cursor = Uri.EscapeDataString(first.GetProperty("next_cursor").GetString()!);
        var second = await (await tenant.Client.GetAsync($"/api/v1/schedules?limit=2&fields=id,interval_seconds&cursor={cursor}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        second.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldBe([ids[0]]);
        second.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        await (await tenant.Client.GetAsync($"/api/v1/schedules?limit=2&status=paused&cursor={cursor}")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Theory]
    [InlineData("""{"cron":"0 25 * * *","time_zone":"UTC"}""", "cron", "invalid_cron")]
    [InlineData("""{"cron":"every night","time_zone":"UTC"}""", "cron", "invalid_cron")]
    [InlineData("""{"cron":"0 2 * * *","time_zone":"Mars/Olympus_Mons"}""", "time_zone", "invalid_time_zone")]
    [InlineData("""{"cron":"0 2 * * *"}""", "time_zone", "required")]
    [InlineData("""{"interval_seconds":29}""", "interval_seconds", "out_of_range")]
    [InlineData("""{"interval_seconds":0}""", "interval_seconds", "out_of_range")]
    [InlineData("""{"interval_seconds":60,"cron":"* * * * *","time_zone":"UTC"}""", "cron", "invalid_timing")]
    [InlineData("""{}""", "cron", "invalid_timing")]
    [InlineData("""{"interval_seconds":60,"max_run_seconds":0}""", "max_run_seconds", "out_of_range")]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"ftp_poll","config":{}}}""", "job.kind", "unknown_job_kind")]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"http_poll","config":{"url":"http://127.0.0.1:1/x"}}}""", "job.config.cursor_field", "required")]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"http_poll","config":{"path":"/x","cursor_field":"id"}}}""", "job.config.path", "connection_required")]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"http_poll","config":{"url":"http://127.0.0.1:1/x","cursor_field":"id","colour":1}}}""", "job.config.colour", "unknown_field")]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"http_poll","config":{"url":"ftp://example.com/x","cursor_field":"id"}}}""", "job.config.url", null)]
    [InlineData("""{"interval_seconds":60,"job":{"kind":"http_poll","config":[1]}}""", "job.config", "invalid_config")]
    public async Task A_bad_timing_or_job_is_refused_with_the_field_and_stores_nothing(string body, string field, string? code)
    {
        var tenant = await system.TenantAsync();
        var json = JsonDocument.Parse(body).RootElement;
        var request = new Dictionary<string, object?>();
        foreach (var property in json.EnumerateObject()) request[property.Name] = property.Value;
        request.TryAdd("job", Job());

        var error = await (await tenant.Client.PostAsJsonAsync("/api/v1/schedules", request)).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var detail = error.GetProperty("details").EnumerateArray().First(d => d.GetProperty("field").GetString() == field);
        if (code is not null) detail.GetProperty("code").GetString().ShouldBe(code);
        (await system.ScalarAsync<long>("select count(*) from schedules where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task Malformed_bodies_and_bad_patches_are_refused_and_change_nothing()
    {
        var tenant = await system.TenantAsync();
        await (await tenant.Client.PostAsJsonAsync("/api/v1/schedules", new { interval_seconds = 60, job = Job(), colour = "blue" }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/schedules", new { interval_seconds = "60", job = Job() }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");

        var created = await SchedulesSystem.CreateAsync(tenant.Client, new { interval_seconds = 60, job = Job() });
        var id = created.GetProperty("id").GetGuid();
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/schedules/{id}", new { interval_seconds = 10 }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/schedules/{id}", new { cron = "61 * * * *", time_zone = "UTC" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/schedules/{id}", new { job = new { kind = "other" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var after = await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        after.GetProperty("interval_seconds").GetInt32().ShouldBe(60);
        after.GetProperty("next_run_at").GetDateTimeOffset().ShouldBe(created.GetProperty("next_run_at").GetDateTimeOffset());

        var runs = await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}/runs?outcome=exploded")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        runs.Fields().ShouldContain("outcome");
        await (await tenant.Client.GetAsync($"/api/v1/schedules/{id}/runs?colour=blue")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task Another_tenants_schedules_and_connections_are_not_found_and_never_listed()
    {
        await system.ResetFakeAsync();
        var owner = await system.TenantAsync();
        var other = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(owner.Client);
        var id = (await SchedulesSystem.CreateAsync(owner.Client, new
        {
            interval_seconds = 60, connection_id = connection, job = new { kind = "http_poll", config = new { path = "/records", cursor_field = "seq" } },
        })).GetProperty("id").GetGuid();

        await (await other.Client.GetAsync($"/api/v1/schedules/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        await (await other.Client.GetAsync($"/api/v1/schedules/{id}/runs")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        await (await other.Client.PatchAsJsonAsync($"/api/v1/schedules/{id}", new { name = "mine" })).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        foreach (var action in new[] { "pause", "resume", "run" })
            await (await other.Client.PostAsync($"/api/v1/schedules/{id}/{action}", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        await (await other.Client.DeleteAsync($"/api/v1/schedules/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "schedule_not_found");
        (await (await other.Client.GetAsync("/api/v1/schedules")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await other.Client.PostAsJsonAsync("/api/v1/schedules", new
        {
            interval_seconds = 60, connection_id = connection, job = new { kind = "http_poll", config = new { path = "/records", cursor_field = "seq" } },
        })).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");

        var mine = await (await owner.Client.GetAsync($"/api/v1/schedules?connection_id={connection}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        mine.GetProperty("data").EnumerateArray().Single().GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null, "the other tenant's patch changed nothing");
        // Another tenant filtering by the connection sees none of it; a filter that is no UUID is a 400, not an empty page.
        (await (await other.Client.GetAsync($"/api/v1/schedules?connection_id={connection}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        var notUuid = await (await owner.Client.GetAsync("/api/v1/schedules?connection_id=not-a-uuid")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        notUuid.GetProperty("details").EnumerateArray().Single().GetProperty("code").GetString().ShouldBe("invalid_uuid");
        (await system.ScalarAsync<string>("select status from schedules where id = @id", ("id", id))).ShouldBe("active");
    }

    [Fact]
    public async Task OAuth_apps_need_schedules_read_to_read_and_schedules_write_to_change()
    {
        var tenant = await system.TenantAsync();
        var oauth = new OAuth.OAuthHarness(system);
        string[] declared = ["schedules:read", "schedules:write", "events:read"];
        using var reader = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "schedules:read"));
        using var writer = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "schedules:read schedules:write"));
        using var stranger = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "events:read"));

        (await reader.GetAsync("/api/v1/schedules")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await reader.PostAsJsonAsync("/api/v1/schedules", new { interval_seconds = 60, job = Job() })).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await stranger.GetAsync("/api/v1/schedules")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await system.ScalarAsync<long>("select count(*) from schedules where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);

        var id = (await SchedulesSystem.CreateAsync(writer, new { interval_seconds = 60, job = Job() })).GetProperty("id").GetGuid();
        await (await reader.PostAsync($"/api/v1/schedules/{id}/pause", null)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await writer.PostAsync($"/api/v1/schedules/{id}/pause", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.GetAsync($"/api/v1/schedules/{id}/runs")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
