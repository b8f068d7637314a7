using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;

namespace Integrations.IntegrationTests.Webhooks;

/// <summary>Small helpers for the webhook endpoint API, so tests read as the calls they make.</summary>
public static class EndpointApi
{
    public const string Path = "/api/v1/webhook-endpoints";

    public static async Task<JsonElement> CreateEndpointAsync(this HttpClient client, object body) =>
        await (await client.PostAsJsonAsync(Path, body)).ShouldBeJsonAsync(HttpStatusCode.Created);

    public static Task<JsonElement> CreateEndpointAsync(this HttpClient client, params string[] eventTypes) =>
        client.CreateEndpointAsync(new { url = "https://hooks.example.com/" + Guid.NewGuid().ToString("N")[..8], event_types = eventTypes.Length == 0 ? ["*"] : eventTypes });

    public static Guid Id(this JsonElement endpoint) => endpoint.GetProperty("id").GetGuid();

    public static async Task<JsonElement> GetEndpointAsync(this HttpClient client, Guid id) =>
        await (await client.GetAsync($"{Path}/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> PatchEndpointAsync(this HttpClient client, Guid id, string json) =>
        client.PatchAsync($"{Path}/{id}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> PostActionAsync(this HttpClient client, Guid id, string action) =>
        await (await client.PostAsync($"{Path}/{id}/{action}", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
}
