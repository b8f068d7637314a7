using System.Net;
using System.Text.Json;
using Integrations.Api;
using Integrations.Infrastructure.Providers;
using Integrations.Infrastructure.Providers.Http;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

public sealed class ProviderCatalogSystem : TestSystem
{
    public const string ClientSecret = "cs_provider_secret_never_shown_7f3a";

    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["Providers:acme-crm:DisplayName"] = "Acme CRM",
        ["Providers:acme-crm:AuthKind"] = "oauth2_code",
        ["Providers:acme-crm:ApiBaseUrl"] = "http://127.0.0.1:9/api",
        ["Providers:acme-crm:AuthorizeUrl"] = "http://127.0.0.1:9/oauth/authorize",
        ["Providers:acme-crm:TokenUrl"] = "http://127.0.0.1:9/oauth/token",
        ["Providers:acme-crm:Scopes"] = "records.read records.write",
        ["Providers:acme-crm:RefreshTokens"] = "single_use",
        ["Providers:acme-crm:ClientId"] = "platform-client",
        ["Providers:acme-crm:ClientSecret"] = ClientSecret,
        ["Providers:acme-crm:HealthCheck:Path"] = "/me",
        ["Providers:acme-crm:HealthCheck:AccountIdPath"] = "data.account.id",
        ["Providers:acme-crm:Quotas:0:Limit"] = "60",
        ["Providers:acme-crm:Quotas:0:Period"] = "00:01:00",
        ["Providers:acme-crm:Quotas:1:Limit"] = "5000",
        ["Providers:acme-crm:Quotas:1:Period"] = "1.00:00:00",
        ["Providers:unconfigured:AuthKind"] = "oauth2_code",
        ["Providers:unconfigured:ApiBaseUrl"] = "http://127.0.0.1:9/api",
        ["Providers:unconfigured:AuthorizeUrl"] = "http://127.0.0.1:9/oauth/authorize",
        ["Providers:unconfigured:TokenUrl"] = "http://127.0.0.1:9/oauth/token",
    };
}

public class ProviderCatalogTests(ProviderCatalogSystem system) : IClassFixture<ProviderCatalogSystem>
{
    [Fact]
    public async Task The_catalog_lists_built_in_and_configured_providers_by_stable_id_without_our_client_secret()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        using var response = await tenant.Client.GetAsync("/api/v1/providers");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        text.ShouldNotContain(ProviderCatalogSystem.ClientSecret);
        text.ShouldNotContain("platform-client", customMessage: "our client id is the operator's business, not the tenant's");

        var providers = JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        providers.Keys.ShouldBe(["acme-crm", "exact-online", "http", "hubspot", "jira", "microsoft-teams", "slack", "teams-workflows", "unconfigured"]); // sorted by id

        var slack = providers["slack"];
        slack.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["http.request", "slack.message"]);
        slack.GetProperty("oauth").GetProperty("default_scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["chat:write", "channels:read", "commands"]);
        slack.GetProperty("oauth").GetProperty("refresh_tokens").GetString().ShouldBe("single_use");
        slack.GetProperty("ready").GetBoolean().ShouldBeFalse("built in, but no Slack app (client id and secret) is configured here");
        var jira = providers["jira"];
        jira.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["jira.issue", "jira.transition"]);
        jira.GetProperty("oauth").GetProperty("refresh_tokens").GetString().ShouldBe("single_use", "Atlassian rotates the refresh token on every use");
        jira.GetProperty("ready").GetBoolean().ShouldBeFalse();
        var hubspot = providers["hubspot"];
        hubspot.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldContain("hubspot.upsert");
        hubspot.GetProperty("oauth").GetProperty("refresh_tokens").GetString().ShouldBe("reusable", "HubSpot's refresh token does not change");
        hubspot.GetProperty("quotas").EnumerateArray().Select(q => (q.GetProperty("limit").GetInt32(), q.GetProperty("period_seconds").GetInt32()))
            .ShouldBe([(100, 10)], "under HubSpot's 110 calls per 10 s");
        var exact = providers["exact-online"];
        exact.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldContain("exact.sales_invoice");
        exact.GetProperty("oauth").GetProperty("refresh_tokens").GetString().ShouldBe("single_use", "each Exact refresh token works once");
        exact.GetProperty("quotas").EnumerateArray().Select(q => (q.GetProperty("limit").GetInt32(), q.GetProperty("period_seconds").GetInt32()))
            .ShouldBe([(60, 60), (5000, 86400)], "Exact's 60 calls a minute and 5,000 a day per company");

        var http = providers["http"];
        http.GetProperty("auth_kinds").EnumerateArray().Select(k => k.GetString()).ShouldBe(["api_key", "basic", "oauth2_client_credentials"]);
        http.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["http.request"]);
        http.GetProperty("oauth").ValueKind.ShouldBe(JsonValueKind.Null);
        http.GetProperty("ready").GetBoolean().ShouldBeTrue();

        var acme = providers["acme-crm"];
        acme.GetProperty("display_name").GetString().ShouldBe("Acme CRM");
        acme.GetProperty("oauth").GetProperty("default_scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["records.read", "records.write"]);
        acme.GetProperty("oauth").GetProperty("pkce").GetBoolean().ShouldBeTrue("PKCE unless the provider cannot");
        acme.GetProperty("oauth").GetProperty("refresh_tokens").GetString().ShouldBe("single_use");
        acme.GetProperty("quotas").EnumerateArray().Select(q => (q.GetProperty("limit").GetInt32(), q.GetProperty("period_seconds").GetInt32(), q.GetProperty("per").GetString()))
            .ShouldBe([(60, 60, "connection"), (5000, 86400, "connection")]);
        acme.GetProperty("ready").GetBoolean().ShouldBeTrue();
        providers["unconfigured"].GetProperty("ready").GetBoolean().ShouldBeFalse("no OAuth client is configured for it");
        providers["unconfigured"].GetProperty("display_name").GetString().ShouldBe("unconfigured");

        (await system.Admin.GetAsync("/api/v1/providers")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client().GetAsync("/api/v1/providers")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Providers:Bad_Id:AuthKind", "api_key", "Providers:Bad_Id: a provider id is")]
    [InlineData("Providers:x1:AuthKind", "password", "Providers:x1:AuthKind must be one of")]
    [InlineData("Providers:x1:AuthKind", "oauth2_code", "Providers:x1:ApiBaseUrl is required")]
    [InlineData("Providers:http:ApiBaseUrl", "ftp://files.example.com", "Providers:http:ApiBaseUrl must be an absolute http(s) URL")]
    [InlineData("Providers:http:Quotas:0:Limit", "0", "Providers:http:Quotas:0:Limit must be a positive whole number")]
    [InlineData("Providers:http:MaxConcurrentPerConnection", "many", "Providers:http:MaxConcurrentPerConnection must be a positive whole number")]
    [InlineData("Providers:http:HealthCheck:Path", "/me", "Providers:http:HealthCheck:AccountIdPath is required")]
    public void A_mistake_in_the_configuration_names_the_setting(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        Should.Throw<InvalidOperationException>(() => new ProviderCatalog([new BuiltInProvider(HttpProvider.Definition)], configuration))
            .Message.ShouldContain(message);
    }

    [Fact]
    public void A_refresh_window_narrower_than_the_expiry_buffer_is_refused_and_exacts_window_is_kept_when_the_host_moves()
    {
        var exact = new BuiltInProvider(Integrations.Infrastructure.Providers.ExactOnline.ExactOnlineProvider.Definition);
        var narrow = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Providers:exact-online:ExpiryBuffer"] = "00:01:00" }).Build();
        Should.Throw<InvalidOperationException>(() => new ProviderCatalog([exact], narrow))
            .Message.ShouldContain("Providers:exact-online:RefreshWindow must be at least Providers:exact-online:ExpiryBuffer");

        var belgium = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:exact-online:ApiBaseUrl"] = "https://start.exactonline.be",
            ["Providers:exact-online:TokenUrl"] = "https://start.exactonline.be/api/oauth2/token",
        }).Build();
        var moved = new ProviderCatalog([exact], belgium).Find("exact-online")!;
        moved.ApiBaseUrl!.Host.ShouldBe("start.exactonline.be");
        moved.OAuth!.RefreshWindow.ShouldBe(TimeSpan.FromSeconds(30));
        moved.OAuth.ExpiryBuffer.ShouldBe(TimeSpan.FromSeconds(25));
        moved.Limits.DayHeaders!.Remaining.ShouldBe("X-RateLimit-Remaining");
    }

    [Fact]
    public async Task The_API_does_not_start_with_a_broken_provider_configuration()
    {
        var configuration = system.Configuration();
        configuration["Providers:broken:AuthKind"] = "sorcery";
        await using var app = ApiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], b => b.Configuration.AddInMemoryCollection(configuration));
        var error = await Should.ThrowAsync<Exception>(() => app.StartAsync());
        error.ToString().ShouldContain("Providers:broken:AuthKind must be one of");
    }

    [Fact]
    public void A_built_in_provider_can_be_pointed_elsewhere_or_turned_off()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:http:MaxConcurrentPerConnection"] = "2",
            ["Providers:http:Quotas:0:Limit"] = "100",
            ["Providers:http:Quotas:0:Period"] = "00:01:00",
            ["Providers:http:Quotas:0:Per"] = "provider",
        }).Build();
        var http = new ProviderCatalog([new BuiltInProvider(HttpProvider.Definition)], configuration).Find("http")!;
        http.Limits.MaxConcurrentPerConnection.ShouldBe(2);
        http.Limits.QuotasPerProvider.Single().Limit.ShouldBe(100);
        http.AuthKinds.ShouldBe(HttpProvider.Definition.AuthKinds, "what is not configured stays built in");

        var off = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Providers:http:Enabled"] = "false" }).Build();
        new ProviderCatalog([new BuiltInProvider(HttpProvider.Definition)], off).Find("http").ShouldBeNull();
    }
}
