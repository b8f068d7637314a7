using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.Infrastructure.Webhooks.Delivery;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// The whole system with delivery settings short enough for tests: retries after 1 s, 2 s and
/// 3 s (the request timeout stays at 10 s, so a hanging endpoint really hangs). Auto-disabling and the circuit breaker
/// are out of the way (their tests turn them on), and so is the API's rate limit, which tests that publish hundreds of events would hit.
/// </summary>
public class DeliverySystem : TestSystem
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Webhooks:RetrySchedule"] = "1s,2s,3s",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:AutoDisableAfterConsecutiveFailures"] = "100000",
        ["Webhooks:CircuitBreaker:FailureThreshold"] = "0",
        ["Outbox:PollInterval"] = "00:00:00.100",
        ["RateLimits:Enabled"] = "false",
    };

    protected virtual IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>();

    protected override IDictionary<string, string?> ExtraConfiguration =>
        Settings.Concat(Overrides).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value);
}

/// <summary>A <see cref="DeliverySystem"/> and a sink that the tests of the delivery collection share; each test uses tenants and sink paths of its own.</summary>
public class DeliveryFixture : IAsyncLifetime
{
    public DeliveryFixture() : this(new DeliverySystem())
    {
    }

    protected DeliveryFixture(DeliverySystem system) => System = system;

    public DeliverySystem System { get; }

    public WebhookSink Sink { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Sink = await WebhookSink.StartAsync();
        await System.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Sink.DisposeAsync();
    }
}

/// <summary>
/// Delivery tests run one at a time and not beside other tests: they assert on timing (retry
/// spacing, rate limits, a hanging endpoint) that a saturated 2-core machine would blur.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeliveryCollection : ICollectionFixture<DeliveryFixture>
{
    public const string Name = "Webhook delivery";
}

/// <summary>An endpoint as its tenant created it, with the secret shown at creation.</summary>
public sealed record CreatedEndpoint(TenantWithKey Tenant, Guid Id, string Secret, string Path);

public static class DeliveryApi
{
    /// <summary>The highest rate limit: the default (100 a minute) would pace any test that sends more than one delivery.</summary>
    public const int Unpaced = 60_000;

    public static async Task<CreatedEndpoint> CreateEndpointAsync(this TestSystem system, WebhookSink sink, string[]? eventTypes = null,
        int rateLimitPerMinute = Unpaced, TenantWithKey? tenant = null, string? path = null)
    {
        tenant ??= await system.CreateTenantWithKeyAsync();
        path ??= sink.NewPath();
        var body = new Dictionary<string, object?> { ["url"] = sink.Url(path), ["event_types"] = eventTypes ?? ["*"], ["rate_limit_per_minute"] = rateLimitPerMinute };
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return new CreatedEndpoint(tenant, created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!, path);
    }

    public static async Task<Guid> PublishAsync(this HttpClient client, string eventType = "invoice.paid", object? data = null)
    {
        data ??= new { invoice_id = "in_" + Guid.NewGuid().ToString("N")[..8], amount_cents = 4200, currency = "EUR" };
        var accepted = await (await client.PostAsJsonAsync("/api/v1/events", new { event_type = eventType, data })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        return accepted.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> GetDeliveryAsync(this HttpClient client, Guid deliveryId) =>
        await (await client.GetAsync($"/api/v1/webhook-deliveries/{deliveryId}")).ShouldBeJsonAsync(HttpStatusCode.OK);

    /// <summary>Polls the delivery until <paramref name="condition"/> holds; returns it.</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(this HttpClient client, Guid deliveryId, Func<JsonElement, bool> condition, TimeSpan timeout, string because)
    {
        JsonElement delivery = default;
        await Eventually.HoldsAsync(async () =>
        {
            var response = await client.GetAsync($"/api/v1/webhook-deliveries/{deliveryId}");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            delivery = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return condition(delivery);
        }, timeout, because);
        return delivery;
    }

    /// <summary>The webhook dispatcher of a Workers host.</summary>
    public static WebhookDispatcher Dispatcher(this IHost workers) => workers.Services.GetServices<IHostedService>().OfType<WebhookDispatcher>().Single();

    public static string Status(this JsonElement delivery) => delivery.GetProperty("status").GetString()!;

    public static IReadOnlyList<JsonElement> Attempts(this JsonElement delivery) => delivery.GetProperty("attempts").EnumerateArray().ToList();

    /// <summary>Reads integrations.webhook-deliveries.v1 from the beginning until <paramref name="done"/> holds for what was read.</summary>
    public static List<ConsumeResult<string, string>> ReadOutcomes(this TestSystem system, Func<IReadOnlyList<ConsumeResult<string, string>>, bool> done, TimeSpan timeout) =>
        system.ReadTopic("integrations.webhook-deliveries.v1", done, timeout);
}
