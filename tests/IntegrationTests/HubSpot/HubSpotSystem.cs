using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.HubSpot;

/// <summary>
/// The whole system (API, Workers, broker, PostgreSQL) with the connector runtime's short test
/// settings and the built-in <c>hubspot</c> provider pointed at the HubSpot fake as a process
/// (portals 24681357 and 13572468).
/// </summary>
public sealed class HubSpotSystem : ConnectorsSystem
{
    public const string HubSpotClientId = "hubspot-app-client-id";
    public const string HubSpotClientSecret = "hubspot-app-secret-7d3a";
    public const string Portal = "24681357";
    public const string OtherPortal = "13572468";
    public const string AppId = "1160452";

    public FakeProcess HubSpot { get; private set; } = null!;

    public HttpClient HubSpotControl { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            ProviderAtFake(settings, "hubspot", HubSpot, "/", "/oauth/authorize", "/oauth/v1/token", HubSpotClientId, HubSpotClientSecret);
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        HubSpot = await FakeProcess.StartAsync("HubSpot", $"--Client:Id={HubSpotClientId}", $"--Client:Secret={HubSpotClientSecret}",
            $"--Accounts={Portal}=app-eu1.hubspot.com,{OtherPortal}=app.hubspot.com", $"--HubSpot:AppId={AppId}", "--HubSpot:WebhookRetryDelayMs=300");
        HubSpotControl = HubSpot.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        HubSpotControl?.Dispose();
        if (HubSpot is not null) await HubSpot.DisposeAsync();
    }

    /// <summary>Resets the fake and points the app's webhooks at our <c>/inbound/hubspot</c> (as the operator sets the app's target URL).</summary>
    public async Task ResetHubSpotAsync()
    {
        (await HubSpotControl.PostAsync("/_fake/reset", null)).EnsureSuccessStatusCode();
        (await HubSpotControl.PutAsJsonAsync("/_fake/hubspot/webhooks", new { target_url = WebhookUrl.ToString() })).EnsureSuccessStatusCode();
    }

    /// <summary>The app's webhook target URL: our API's <c>/inbound/hubspot</c>.</summary>
    public Uri WebhookUrl => new(BaseAddress, "/inbound/hubspot");

    /// <summary>A record edited in HubSpot's UI (or, with <paramref name="changeSource"/>, by an import …): the fake sends the app's webhooks.</summary>
    public async Task EditAsync(string id, object properties, string? changeSource = null) =>
        (await HubSpotControl.PatchAsJsonAsync($"/_fake/hubspot/records/{id}", new { properties, change_source = changeSource })).EnsureSuccessStatusCode();

    /// <summary>A record made in HubSpot's UI; returns its id.</summary>
    public async Task<string> CreateInHubSpotAsync(string @object, object properties, string portal = Portal) =>
        (await (await HubSpotControl.PostAsJsonAsync("/_fake/hubspot/records", new { portal, @object, properties })).ShouldBeJsonAsync(HttpStatusCode.OK))
        .GetProperty("id").GetString()!;

    public async Task DeleteInHubSpotAsync(string id) => (await HubSpotControl.DeleteAsync($"/_fake/hubspot/records/{id}")).EnsureSuccessStatusCode();

    /// <summary>Every webhook delivery attempt the fake made: url, attempt, status, events.</summary>
    public async Task<List<JsonElement>> DeliveriesAsync() =>
        (await HubSpotControl.GetFromJsonAsync<JsonElement>("/_fake/hubspot/webhooks/deliveries")).GetProperty("data").EnumerateArray().ToList();

    /// <summary>The tenant's product commands (the product bridge's log, first page).</summary>
    public static async Task<List<JsonElement>> CommandsAsync(TenantWithKey tenant) =>
        (await (await tenant.Client.GetAsync("/api/v1/product-commands")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    /// <summary>The CRM records at the fake of one portal and object.</summary>
    public async Task<List<JsonElement>> RecordsAsync(string @object, string portal = Portal) =>
        (await HubSpotControl.GetFromJsonAsync<JsonElement>($"/_fake/hubspot/records?portal={portal}&object={@object}")).GetProperty("data").EnumerateArray().ToList();

    public async Task BurstLimitAsync(int limit) => (await HubSpotControl.PutAsJsonAsync("/_fake/hubspot/limit", new { burst_limit = limit })).EnsureSuccessStatusCode();

    /// <summary>"Connect HubSpot": the connection, the browser at HubSpot's consent (approved for <paramref name="portal"/>) and back at our callback.</summary>
    public async Task<Guid> ConnectAsync(HttpClient client, string portal = Portal)
    {
        var (connection, _) = await ConnectThroughBrowserAsync(client, "hubspot", "Sales CRM", "portal", portal);
        return connection.GetProperty("id").GetGuid();
    }

    /// <summary>A hubspot.upsert route of the connection for contacts (entity.created and entity.updated of contacts); returns its id.</summary>
    public static async Task<Guid> ContactRouteAsync(HttpClient client, Guid connectionId, object? settings = null)
    {
        var body = new
        {
            event_types = new[] { "entity.created", "entity.updated" }, action = "hubspot.upsert",
            settings = settings ?? new { @object = "contacts", id_property = "product_contact_id" },
            filter = new[] { new { path = "data.entity_type", op = "eq", value = "contact" } },
        };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }
}

/// <summary>The HubSpot tests share one system and run one at a time (they count records at the fake).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HubSpotCollection : ICollectionFixture<HubSpotSystem>
{
    public const string Name = "HubSpot connector";
}
