using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;

namespace Integrations.IntegrationTests.ExactOnline;

/// <summary>
/// The whole system (API, Workers, broker, PostgreSQL) with the connector runtime's short test settings, the token
/// sweep every half second, and the built-in <c>exact-online</c> provider pointed at the Exact Online fake as a
/// process (divisions 3100001 "Acme BV" and 3100002 "Acme Belgium BV").
/// </summary>
public sealed class ExactOnlineSystem : ConnectorsSystem
{
    public const string ExactClientId = "exact-app-client-id";
    public const string ExactClientSecret = "exact-app-secret-5e1c";
    public const string Division = "3100001";
    public const string OtherDivision = "3100002";
    public const string Item = "6f0c3a55-1d2b-4c9e-9a41-000000000101";
    public const string RevenueAccount = "6f0c3a55-1d2b-4c9e-9a41-000000008000";

    public FakeProcess Exact { get; private set; } = null!;

    public OAuthFakeControl ExactControl { get; private set; } = null!;

    /// <summary>The fake's own control API (/_fake/exact/…).</summary>
    public HttpClient ExactData { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            ProviderAtFake(settings, "exact-online", Exact, "/", "/api/oauth2/auth", "/api/oauth2/token", ExactClientId, ExactClientSecret);
            settings["Connections:TokenSweep:Interval"] = "00:00:00.500";
            // The tests' used-up day lasts seconds, not hours: a wait of 5 s tells the tenant.
            settings["Connectors:QuotaIncidentAfter"] = "00:00:05";
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Exact = await FakeProcess.StartAsync("ExactOnline", $"--Client:Id={ExactClientId}", $"--Client:Secret={ExactClientSecret}",
            $"--Accounts={Division}=Acme BV,{OtherDivision}=Acme Belgium BV");
        ExactControl = new OAuthFakeControl(Exact.CreateClient());
        ExactData = Exact.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        ExactData?.Dispose();
        if (Exact is not null) await Exact.DisposeAsync();
    }

    public Task ResetExactAsync() => ExactControl.ResetAsync();

    public async Task<List<JsonElement>> AccountsAsync(string division = Division) =>
        (await ExactData.GetFromJsonAsync<JsonElement>($"/_fake/exact/accounts?division={division}")).GetProperty("data").EnumerateArray().ToList();

    public async Task<List<JsonElement>> InvoicesAsync(string division = Division) =>
        (await ExactData.GetFromJsonAsync<JsonElement>($"/_fake/exact/invoices?division={division}")).GetProperty("data").EnumerateArray().ToList();

    /// <summary>The day's calls left for every division until <paramref name="resetIn"/> from now.</summary>
    public async Task DayLeftAsync(int remaining, TimeSpan resetIn) =>
        (await ExactData.PutAsJsonAsync("/_fake/exact/limits", new { daily_remaining = remaining, daily_reset_in_seconds = (int)resetIn.TotalSeconds })).EnsureSuccessStatusCode();

    /// <summary>"Connect Exact Online": the connection, the browser at Exact's consent (for <paramref name="division"/>) and back at our callback.</summary>
    public async Task<Guid> ConnectAsync(HttpClient client, string division = Division)
    {
        var (connection, _) = await ConnectThroughBrowserAsync(client, "exact-online", "Bookkeeping", "division", division);
        return connection.GetProperty("id").GetGuid();
    }

    /// <summary>An exact.sales_invoice route for invoices (entity.created of entity_type invoice); returns its id.</summary>
    public static async Task<Guid> InvoiceRouteAsync(HttpClient client, Guid connectionId, object? settings = null)
    {
        var body = new
        {
            event_types = new[] { "entity.created" }, action = "exact.sales_invoice",
            settings = settings ?? new { item = Item, vat_codes = new { high = "2", zero = "0" }, gl_accounts = new { revenue = RevenueAccount } },
            filter = new[] { new { path = "data.entity_type", op = "eq", value = "invoice" } },
        };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }

    /// <summary>An invoice of ours as the product publishes it.</summary>
    public static object Invoice(string id, string customerId = "cus_42", string customerName = "Ada's Bakery") => new
    {
        entity_id = id, entity_type = "invoice",
        attributes = new
        {
            currency = "EUR", description = "December subscription", invoice_date = "2026-12-07",
            customer = new { id = customerId, name = customerName, email = "billing@ada.example", country = "nl" },
            lines = new object[]
            {
                new { description = "Seats", quantity = 3, unit_price = 25.5, vat_code = "high", gl_account = "revenue" },
                new { description = "Setup", quantity = 1, unit_price = 100, vat_code = "unknown" },
            },
        },
    };
}

/// <summary>The Exact Online tests share one system and run one at a time (they count records at the fake).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExactOnlineCollection : ICollectionFixture<ExactOnlineSystem>
{
    public const string Name = "Exact Online connector";
}
