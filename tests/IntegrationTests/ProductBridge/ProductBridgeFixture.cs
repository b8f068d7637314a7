using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>
/// The delivery tests' system (webhook settings short enough for tests, no rate limit) with callback
/// settings to match: two retries after about 0.2 s and 0.4 s, a 3 s timeout, and a breaker that
/// opens after 3 failed attempts for 2 s.
/// </summary>
public class ProductBridgeSystem : DeliverySystem
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ProductBridge:CallbackTimeout"] = "00:00:03",
        ["ProductBridge:CallbackRetries"] = "2",
        ["ProductBridge:CallbackRetryDelay"] = "00:00:00.200",
        ["ProductBridge:CallbackMaxRetryDelay"] = "00:00:02",
        ["ProductBridge:CallbackBreakAfterFailures"] = "3",
        ["ProductBridge:CallbackBreakDuration"] = "00:00:02",
    };
}

/// <summary>A <see cref="ProductBridgeSystem"/> and a receiver for callbacks; each test uses tenants and sink paths of its own.</summary>
public class ProductBridgeFixture : DeliveryFixture
{
    public ProductBridgeFixture() : this(new ProductBridgeSystem())
    {
    }

    protected ProductBridgeFixture(ProductBridgeSystem system) : base(system)
    {
    }
}

/// <summary>Callback tests run one at a time: they assert on retry timing that a saturated machine would blur.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProductBridgeCollection : ICollectionFixture<ProductBridgeFixture>
{
    public const string Name = "Product bridge";
}

public static class ProductBridgeApi
{
    public const string Commands = "/api/v1/product-commands";
    public const string Callback = "/api/v1/product-bridge/callback";
    public const string Topic = "integrations.product-commands.v1";

    public static object Update(string id, object? attributes = null, string type = "task") =>
        new { command = "entity.update", target = new { type, id }, data = new { attributes = attributes ?? new { status = "done" } } };

    /// <summary>Sends a command through the API; returns it as the log shows it.</summary>
    public static async Task<JsonElement> SendCommandAsync(this HttpClient client, object body) =>
        await (await client.PostAsJsonAsync(Commands, body)).ShouldBeJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonElement> GetCommandAsync(this HttpClient client, Guid id) =>
        await (await client.GetAsync($"{Commands}/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);

    /// <summary>Polls the command until <paramref name="condition"/> holds; returns it.</summary>
    public static async Task<JsonElement> WaitForCommandAsync(this HttpClient client, Guid id, Func<JsonElement, bool> condition, TimeSpan timeout, string because)
    {
        JsonElement command = default;
        await Eventually.HoldsAsync(async () =>
        {
            command = await client.GetCommandAsync(id);
            return condition(command);
        }, timeout, because);
        return command;
    }

    /// <summary>Configures the tenant's callback to a fresh sink path; returns the path and the secret.</summary>
    public static async Task<(string Path, string Secret)> ConfigureCallbackAsync(this HttpClient client, WebhookSink sink)
    {
        var path = sink.NewPath("commands");
        var created = await (await client.PutAsJsonAsync(Callback, new { url = sink.Url(path) })).ShouldBeJsonAsync(HttpStatusCode.Created);
        return (path, created.GetProperty("secret").GetString()!);
    }

    public static Guid Id(this JsonElement resource) => resource.GetProperty("id").GetGuid();

    public static string Status(this JsonElement command) => command.GetProperty("status").GetString()!;

    /// <summary>Reads integrations.product-commands.v1 from the beginning until <paramref name="done"/> holds for what was read.</summary>
    public static List<ConsumeResult<string, string>> ReadCommands(this TestSystem system, Func<IReadOnlyList<ConsumeResult<string, string>>, bool> done, TimeSpan timeout) =>
        system.ReadTopic(Topic, done, timeout);

    public static string? Header(this ConsumeResult<string, string> message, string name) =>
        message.Message.Headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    public static Guid CommandId(this ConsumeResult<string, string> message) => Guid.Parse(message.Header("command-id")!);
}
