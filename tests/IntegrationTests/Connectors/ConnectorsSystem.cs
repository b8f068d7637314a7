using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connections;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>
/// The whole system with the connector runtime's settings short enough for tests: 3 attempts 0.2 s
/// apart at first, a 3 s request timeout, a breaker that opens after 5 failures for 2 s. The
/// provider fake answers an API key (the <c>http</c> provider's connections are created through the
/// connections API, as a customer does), and a provider <c>metered</c> of the catalog allows 3 calls
/// per connection every 5 s. Incidents open after a circuit stays open 1 s and at 3 dead letters. The Workers host runs in the process unless a fixture says otherwise.
/// </summary>
public class ConnectorsSystem : ConnectionsSystem
{
    public const string MeteredProvider = "metered";
    public const int MeteredLimit = 3;
    public static readonly TimeSpan MeteredPeriod = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    public static readonly IReadOnlyDictionary<string, string?> RuntimeSettings = new Dictionary<string, string?>
    {
        ["Connectors:Timeout"] = "00:00:03",
        ["Connectors:Retry:MaxAttempts"] = "3",
        ["Connectors:Retry:BaseDelay"] = "00:00:00.200",
        ["Connectors:Retry:MaxDelay"] = "00:00:02",
        ["Connectors:CircuitBreaker:FailureThreshold"] = "5",
        ["Connectors:CircuitBreaker:BreakDuration"] = "00:00:02",
        ["Connectors:CircuitBreaker:MaxBreakDuration"] = "00:00:08",
        ["Connectors:PollInterval"] = "00:00:00.100",
        // Incidents within the tests' time: a circuit open for 1 s (through a failed probe), 3 dead letters.
        ["Connectors:CircuitBreaker:IncidentAfter"] = "00:00:01",
        ["Connectors:DeadLetterIncidentThreshold"] = "3",
        ["Outbox:PollInterval"] = "00:00:00.100",
        ["RateLimits:Enabled"] = "false",
    };

    protected override bool StartWorkers => true;

    /// <summary>A built-in provider's API and OAuth endpoints at its fake, with the app's client (as an operator points one at a sandbox).</summary>
    protected static void ProviderAtFake(IDictionary<string, string?> settings, string provider, FakeProcess fake, string apiPath, string authorizePath,
        string tokenPath, string clientId, string clientSecret)
    {
        var prefix = $"Providers:{provider}:";
        settings[prefix + "ApiBaseUrl"] = new Uri(fake.BaseAddress, apiPath).ToString();
        settings[prefix + "AuthorizeUrl"] = new Uri(fake.BaseAddress, authorizePath).ToString();
        settings[prefix + "TokenUrl"] = new Uri(fake.BaseAddress, tokenPath).ToString();
        settings[prefix + "ClientId"] = clientId;
        settings[prefix + "ClientSecret"] = clientSecret;
    }

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            foreach (var (key, value) in RuntimeSettings) settings[key] = value;
            var metered = $"Providers:{MeteredProvider}:";
            settings[metered + "DisplayName"] = "Metered API";
            settings[metered + "AuthKinds"] = "api_key";
            settings[metered + "ApiBaseUrl"] = new Uri(Fake.BaseAddress, "/api").ToString();
            settings[metered + "HealthCheck:Path"] = "/me";
            settings[metered + "HealthCheck:AccountIdPath"] = "data.id";
            settings[metered + "Quotas:0:Limit"] = MeteredLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[metered + "Quotas:0:Period"] = "00:00:05";
            return settings;
        }
    }

    /// <summary>The fake as at start, answering API keys (sent as bearer tokens) instead of OAuth tokens.</summary>
    public async Task ResetFakeAsync()
    {
        await Fake.Control.ResetAsync();
        await Fake.Control.SetAuthModeAsync("api_key");
    }

    /// <summary>A connection made through the connections API with a fresh API key the fake accepts for account acme; returns its id and the key.</summary>
    public async Task<(Guid Id, string Key)> ConnectApiKeyAsync(HttpClient client, string provider = "http")
    {
        var key = "key-" + Guid.NewGuid().ToString("N");
        await Fake.Control.AddApiKeyAsync(key, "acme");
        object body = provider == "http"
            ? new
            {
                provider, auth_kind = "api_key", credentials = new { api_key = key },
                settings = new { base_url = new Uri(Fake.BaseAddress, "/api").ToString(), health_check_path = "/me", account_id_path = "data.id" },
            }
            : new { provider, auth_kind = "api_key", credentials = new { api_key = key } };
        var created = await (await client.PostAsJsonAsync("/api/v1/connections", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return (created.GetProperty("connection").GetProperty("id").GetGuid(), key);
    }

    /// <summary>A route of <paramref name="connectionId"/> with the http.request action; returns its id.</summary>
    public static async Task<Guid> CreateRouteAsync(HttpClient client, Guid connectionId, object settings, string[]? eventTypes = null, object[]? filter = null)
    {
        var body = new { event_types = eventTypes ?? ["invoice.paid"], action = "http.request", settings, filter = filter ?? [] };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }

    /// <summary>A route that PUTs each event's data to /records/&lt;prefix&gt;&lt;invoice_id&gt; below the connection's base URL.</summary>
    public static Task<Guid> RecordsRouteAsync(HttpClient client, Guid connectionId, string prefix) =>
        CreateRouteAsync(client, connectionId, new
        {
            method = "PUT", path = "/records/" + prefix + "{{ data.invoice_id }}",
            body = new { invoice = "{{ data.invoice_id }}", amount = "{{ data.amount_cents }}", source = "{{ event.type }}" },
        });

    public static async Task<List<JsonElement>> CallsAsync(HttpClient client, Guid connectionId, string query = "")
    {
        var page = await (await client.GetAsync($"/api/v1/connections/{connectionId}/calls?limit=100{query}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    public static async Task<JsonElement> CallAsync(HttpClient client, Guid connectionId, Guid callId) =>
        await (await client.GetAsync($"/api/v1/connections/{connectionId}/calls/{callId}")).ShouldBeJsonAsync(HttpStatusCode.OK);

    /// <summary>Polls the connection's calls until <paramref name="done"/> holds for them; returns them.</summary>
    public static async Task<List<JsonElement>> WaitForCallsAsync(HttpClient client, Guid connectionId, Func<List<JsonElement>, bool> done, TimeSpan timeout,
        string because)
    {
        List<JsonElement> calls = [];
        await Eventually.HoldsAsync(async () => done(calls = await CallsAsync(client, connectionId)), timeout, because);
        return calls;
    }

    /// <summary>The data of an invoice.paid event (its schema asks for the currency).</summary>
    /// <summary>POST …/test; its answer is whatever the check found (200 either way).</summary>
    public static async Task TestConnectionAsync(HttpClient client, Guid connectionId) =>
        (await client.PostAsync($"/api/v1/connections/{connectionId}/test", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

    /// <summary>
    /// Publishes <paramref name="count"/> invoices (in_rot_0 …) while testing the connection as many times, all at once:
    /// the API and every Workers host renew the same refresh token chain together.
    /// </summary>
    public static Task PublishWhileTestingAsync(HttpClient client, Guid connectionId, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).SelectMany(i => new[]
        {
            (Task)Webhooks.Delivery.DeliveryApi.PublishAsync(client, data: Invoice($"in_rot_{i}", i)),
            TestConnectionAsync(client, connectionId),
        }));

    public static object Invoice(string invoiceId, int amountCents) => new { invoice_id = invoiceId, amount_cents = amountCents, currency = "EUR" };

    /// <summary>The requests the fake received under <paramref name="pathPrefix"/>, in order.</summary>
    public async Task<IReadOnlyList<FakeRequest>> ReceivedAsync(string pathPrefix) => await Fake.Control.RequestsAsync(pathPrefix);

    /// <summary>
    /// "Connect &lt;provider&gt;" as a customer's user does it: the connection, the browser at the provider
    /// fake's authorize page (approving at once for the account <paramref name="accountParameter"/> names)
    /// and back at our callback. Returns the connection as the API shows it and the connect URL.
    /// </summary>
    public async Task<(JsonElement Connection, string ConnectUrl)> ConnectThroughBrowserAsync(HttpClient client, string provider, string displayName,
        string accountParameter, string account)
    {
        var created = await (await client.PostAsJsonAsync("/api/v1/connections", new { provider, display_name = displayName }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        var connectUrl = created.GetProperty("connect_url").GetString()!;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var approved = await browser.GetAsync(QueryHelpers.AddQueryString(connectUrl, accountParameter, account));
        approved.StatusCode.ShouldBe(HttpStatusCode.Found, await approved.Content.ReadAsStringAsync());
        var callback = approved.Headers.Location!.ToString();
        callback.ShouldStartWith(BaseAddress.ToString().TrimEnd('/') + $"/connect/callback/{provider}?");
        using var page = await CallbackAsync(callback);
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("Connected");
        return (await GetAsync(client, created.GetProperty("connection").GetProperty("id").GetGuid()), connectUrl);
    }
}

public static class ConnectorCallJson
{
    public static string Status(this JsonElement call) => call.GetProperty("status").GetString()!;

    public static Guid EventId(this JsonElement call) => call.GetProperty("event_id").GetGuid();

    public static Guid Id(this JsonElement call) => call.GetProperty("id").GetGuid();

    public static List<JsonElement> Attempts(this JsonElement call) => call.GetProperty("attempts").EnumerateArray().ToList();

    public static List<JsonElement> Sent(this JsonElement call) => call.Attempts().Where(a => a.GetProperty("sent").GetBoolean()).ToList();
}

/// <summary>A <see cref="ConnectorsSystem"/> the connector tests share; they run one at a time (they assert on timing).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConnectorsCollection : ICollectionFixture<ConnectorsSystem>
{
    public const string Name = "Connector runtime";
}
