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

    public FakeProcess HubSpot { get; private set; } = null!;

    public HttpClient HubSpotControl { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            var hubspot = "Providers:hubspot:";
            settings[hubspot + "ApiBaseUrl"] = HubSpot.BaseAddress.ToString();
            settings[hubspot + "AuthorizeUrl"] = new Uri(HubSpot.BaseAddress, "/oauth/authorize").ToString();
            settings[hubspot + "TokenUrl"] = new Uri(HubSpot.BaseAddress, "/oauth/v1/token").ToString();
            settings[hubspot + "ClientId"] = HubSpotClientId;
            settings[hubspot + "ClientSecret"] = HubSpotClientSecret;
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        HubSpot = await FakeProcess.StartAsync("HubSpot", $"--Client:Id={HubSpotClientId}", $"--Client:Secret={HubSpotClientSecret}",
            $"--Accounts={Portal}=app-eu1.hubspot.com,{OtherPortal}=app.hubspot.com");
        HubSpotControl = HubSpot.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        HubSpotControl?.Dispose();
        if (HubSpot is not null) await HubSpot.DisposeAsync();
    }

    public async Task ResetHubSpotAsync() => (await HubSpotControl.PostAsync("/_fake/reset", null)).EnsureSuccessStatusCode();

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
