using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connections;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>The system as in production: private network targets refused (Webhooks:AllowPrivateNetworkTargets off), no Workers host.</summary>
public sealed class ProductionNetworkSystem : ConnectionsSystem
{
    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            settings["Webhooks:AllowPrivateNetworkTargets"] = "false";
            return settings;
        }
    }
}

/// <summary>
/// A route's http.request settings are checked when the route is created or changed: an absolute
/// URL under the webhooks' SSRF rules, a path that stays below the connection's base URL, headers
/// that cannot carry or forge credentials; a refused route stores nothing.
/// </summary>
public sealed class RouteSafetyTests(ProductionNetworkSystem system) : IClassFixture<ProductionNetworkSystem>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://0x7f000001/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("file:///etc/passwd")]
    public async Task An_absolute_url_to_a_private_or_internal_address_is_refused(string url)
    {
        var (client, connection) = await ConnectionAsync();
        var refused = await (await client.PostAsJsonAsync($"/api/v1/connections/{connection}/routes",
                new { event_types = new[] { "invoice.paid" }, action = "http.request", settings = new { url } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.Fields().ShouldContain("settings.url");
        (await system.ScalarAsync<long>("select count(*) from connector_routes where connection_id = @c", ("c", connection))).ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"path":"/../admin"}""", "settings.path")]
    [InlineData("""{"path":"//evil.example.com/x"}""", "settings.path")]
    [InlineData("""{"path":"records"}""", "settings.path")]
    [InlineData("""{"path":"/records","headers":{"Authorization":"Bearer stolen"}}""", "settings.headers.Authorization")]
    [InlineData("""{"path":"/records","headers":{"X-Forwarded-For":"10.0.0.1"}}""", "settings.headers.X-Forwarded-For")]
    [InlineData("""{"path":"/records","headers":{"Host":"internal"}}""", "settings.headers.Host")]
    [InlineData("""{"url":"https://{{ data.host }}/x"}""", "settings.url")]
    [InlineData("""{"path":"/records","url":"https://example.com/x"}""", "settings")]
    [InlineData("""{"path":"/records","method":"TRACE"}""", "settings.method")]
    [InlineData("""{"path":"/records","body":{"x":"{{ data.a | nope }}"}}""", "settings.body")]
    public async Task Settings_that_could_steer_the_request_elsewhere_or_forge_credentials_are_refused(string settings, string field)
    {
        var (client, connection) = await ConnectionAsync();
        var body = $$"""{"event_types":["invoice.paid"],"action":"http.request","settings":{{settings}}}""";
        var refused = await (await client.PostAsync($"/api/v1/connections/{connection}/routes", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.Fields().ShouldContain(field);
    }

    [Fact]
    public async Task A_null_filter_condition_is_refused_not_a_server_error()
    {
        var (client, connection) = await ConnectionAsync();
        var body = """{"event_types":["invoice.paid"],"action":"http.request","settings":{"path":"/records"},"filter":[null]}""";
        await (await client.PostAsync($"/api/v1/connections/{connection}/routes", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "invalid_filter");
        (await (await client.GetAsync($"/api/v1/connections/{connection}/routes")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_path_below_the_base_url_with_placeholders_is_accepted_and_a_patch_to_a_private_url_is_refused()
    {
        var (client, connection) = await ConnectionAsync();
        var route = await ConnectorsSystem.CreateRouteAsync(client, connection, new { method = "PATCH", path = "/records/{{ data.invoice_id }}" });
        var refused = await (await client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}",
            new { settings = new { url = "http://192.168.0.10/x" } })).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.Fields().ShouldContain("settings.url");
        var unchanged = await (await client.GetAsync($"/api/v1/connections/{connection}/routes/{route}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        unchanged.GetProperty("settings").GetProperty("path").GetString().ShouldBe("/records/{{ data.invoice_id }}");
    }

    /// <summary>A generic (OAuth) connection: its provider's URLs are the operator's, so it can be made while private targets are refused.</summary>
    private async Task<(HttpClient Client, Guid Connection)> ConnectionAsync()
    {
        var tenant = await system.TenantAsync();
        var connection = await system.ConnectAsync(tenant.Client);
        return (tenant.Client, connection.GetProperty("id").GetGuid());
    }
}
