using System.Text.Json.Nodes;
using Integrations.Domain.EventTypes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Integrations.Api.OpenApi;

/// <summary>
/// Document-wide parts of /openapi/v1.json: info, the bearer scheme, tags, the headers every response
/// carries, and one OpenAPI <c>webhooks</c> entry per event type, built from the catalog's schemas.
/// </summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    private const string WebhookTag = "Webhook events";

    private static readonly IReadOnlyDictionary<string, (string Description, string Type)> ResponseHeaders = new Dictionary<string, (string, string)>
    {
        ["X-Request-Id"] = ("Identifies the request in our logs; yours when you send a sane X-Request-Id.", "string"),
        ["X-RateLimit-Limit"] = ("Requests allowed per window for this credential (per tenant for API keys).", "integer"),
        ["X-RateLimit-Remaining"] = ("Requests left in the current window.", "integer"),
        ["X-RateLimit-Reset"] = ("Seconds until the current window ends and the quota is restored.", "integer"),
        ["Retry-After"] = ("Seconds to wait before retrying (429 and 503).", "integer"),
        ["Idempotent-Replayed"] = ("true when the response is the stored result of an earlier request with the same Idempotency-Key.", "string"),
    };

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Tenants", "Organisations using the product, and their API keys. Creating tenants and keys needs the admin key."),
        ("Events", "Domain events the product publishes; each is stored, put on Kafka and delivered to subscribed webhook endpoints."),
        ("Event types", "The catalog of event types with the JSON Schema of their data."),
        ("Webhook endpoints", "HTTPS endpoints that receive a tenant's events as signed POST requests."),
        ("Webhook deliveries", "Every attempt to deliver an event to an endpoint, with its outcome."),
        ("REST hooks", "Subscriptions of automation tools (Zapier, Make, n8n): webhook endpoints of kind hook, with a filter on the event, and sample events for their editors (docs/no-code.md)."),
        ("Members", "The people of an organisation who sign in to the OAuth authorization server and authorize apps (docs/oauth.md)."),
        ("Apps", "Third-party OAuth apps: registration, marketplace review and listing, installed apps, signing keys (docs/oauth.md)."),
        ("Connections", "A tenant's accounts in external systems (providers): the connect flow, credentials verified and kept encrypted, token refresh, health, audit log (docs/connections.md)."),
        ("Notifications", "Notices of persistent failures, one when a failure starts to persist and one when it is resolved; also mailed to the organisation's admins (docs/notifications.md)."),
        ("Product bridge", "Commands the platform sends the product (integrations.product-commands.v1 and an optional signed callback), and their log (docs/product-bridge.md)."),
        ("Entities", "The latest state of the product's records, from its entity.* events: lookups for connectors and searches."),
        ("Console sessions", "Single-use links that open the customer console for one tenant, to embed it in the product (docs/console.md)."),
        ("Admin", "Operations for the platform operator."),
        (WebhookTag, "What the platform POSTs to your webhook endpoints: one entry per event type of the catalog."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Integrations API",
            Version = "v1",
            Description = """
                The REST API of the Integrations platform. Conventions (lists, errors, idempotency,
                rate limits, request ids) are the same on every endpoint: see /docs for the guides.
                Authenticate with `Authorization: Bearer <key>`: a tenant API key (`ik_…`) or the
                platform's admin key.
                """,
            Contact = new OpenApiContact { Name = "Integrations platform team" },
        };
        // Spectral (oas3-server-trailing-slash): paths already start with a slash.
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A tenant API key (ik_…) acts on its own tenant; the admin key acts on any tenant it names.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, (description, type)) in ResponseHeaders)
        {
            document.Components.Headers[name] = new OpenApiHeader
            {
                Description = description,
                Schema = new OpenApiSchema { Type = type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String },
            };
        }
        document.Tags = new HashSet<OpenApiTag>(Tags.Where(t => t.Name == WebhookTag || UsedTag(document, t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Webhooks = EventTypeCatalog.All.ToDictionary(t => t.Name, t => (IOpenApiPathItem)Webhook(t, document));
        RequireOnlyIdInListItems(document);
        return Task.CompletedTask;
    }

    /// <summary>
    /// With <c>fields</c>, list items carry only the selected properties and always id: each page's
    /// items get a schema of their own, the item's with every property but only id required. The
    /// item's own schema (single reads) keeps all of its required properties.
    /// </summary>
    private static void RequireOnlyIdInListItems(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var page in schemas.Where(s => s.Key.StartsWith("CursorPageOf", StringComparison.Ordinal)).Select(s => s.Value).OfType<OpenApiSchema>().ToList())
        {
            if (page.Properties is null || !page.Properties.TryGetValue("data", out var property) || property is not OpenApiSchema { Items: OpenApiSchemaReference item } data
                || item.Reference.Id is not { } itemName || !schemas.TryGetValue(itemName, out var itemSchema) || itemSchema is not OpenApiSchema full) continue;
            var selectable = (OpenApiSchema)full.CreateShallowCopy();
            selectable.Required = new HashSet<string> { "id" };
            selectable.Description = $"{itemName} as a list returns it: every property without `fields`, the selected ones and id with it.";
            schemas[itemName + "Fields"] = selectable;
            data.Items = new OpenApiSchemaReference(itemName + "Fields", document);
        }
    }

    private static bool UsedTag(OpenApiDocument document, string tag) =>
        document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).Any(o => o.Tags?.Any(t => t.Name == tag) == true);

    /// <summary>The headers of every webhook POST (WebhookSender), in the order the document lists them.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> WebhookHeaders =
    [
        ("webhook-id", "The delivery's id, the body's webhook_id: identical on every retry of one event to one endpoint. Deduplicate by it."),
        ("X-Webhook-ID", "The same value as webhook-id, for receivers that look for an X- header."),
        ("webhook-timestamp", "Unix seconds when this attempt was signed (each retry has its own); reject stale ones to stop replays."),
        ("webhook-signature", "Standard Webhooks: v1, + base64(HMAC-SHA256(secret, webhook-id.webhook-timestamp.body)). During a secret rotation several, space-separated, one per secret."),
    ];

    /// <summary>
    /// The HTTP request a subscribed endpoint receives for one event type: the body WebhookPayload
    /// writes (<c>{id, event_type, timestamp, data, webhook_id, endpoint_id}</c>), not the Kafka envelope.
    /// </summary>
    private static OpenApiPathItem Webhook(EventTypeDefinition type, OpenApiDocument document)
    {
        var data = OpenApiModelFactory.Parse<OpenApiSchema>(type.Schema, OpenApiSpecVersion.OpenApi3_1, document, out _, "json")
            ?? throw new InvalidOperationException($"The schema of {type.Name} does not parse as an OpenAPI 3.1 schema.");
        data.Schema = null; // the document's dialect applies; a nested $schema only confuses tools
        data.Description = "The event's data, as published; valid against the type's schema (GET /api/v1/event-types).";
        var body = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "id", "event_type", "timestamp", "data", "webhook_id", "endpoint_id" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The event's id (as in GET /api/v1/events/{id}); the same for every endpoint that gets the event." },
                ["event_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type.Name },
                ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the platform accepted the event (RFC 3339, UTC)." },
                ["data"] = data,
                ["webhook_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The delivery's id, also in the webhook-id header: the same on every retry, so receivers deduplicate by it." },
                ["endpoint_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The webhook endpoint this request was sent to." },
            },
        };
        var sample = new JsonObject
        {
            ["id"] = "0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8",
            ["event_type"] = type.Name,
            ["timestamp"] = "2026-11-22T09:15:00.123+00:00",
            ["data"] = JsonNode.Parse(type.Sample),
            ["webhook_id"] = "0193a5f3-4d5e-881e-9bee-61e5e6d7b450",
            ["endpoint_id"] = "0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51",
        };
        var operation = new OpenApiOperation
        {
            OperationId = "webhook_" + type.Name.Replace('.', '_'),
            Summary = type.Name,
            Description = $"{type.Description} Sent as a signed POST (Standard Webhooks) to every enabled endpoint of the tenant subscribed to {type.Name} or *. " +
                          "Verify the signature over the raw body before parsing it, and deduplicate by webhook_id: delivery is at least once, in no guaranteed order. See docs/webhooks.md.",
            Tags = new HashSet<OpenApiTagReference> { new(WebhookTag, document) },
            Parameters = WebhookHeaders.Select(h => (IOpenApiParameter)new OpenApiParameter
            {
                Name = h.Name,
                In = ParameterLocation.Header,
                Required = true,
                Description = h.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            }).ToList(),
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body, Example = sample } },
            },
            Responses = new OpenApiResponses
            {
                ["2XX"] = new OpenApiResponse { Description = "Delivered: any 2xx within the timeout (10 s by default, Webhooks:Timeout). Redirects are not followed." },
                ["410"] = new OpenApiResponse { Description = "Gone: the delivery is dead-lettered at once and the endpoint is disabled." },
                ["429"] = new OpenApiResponse { Description = "Retried; a Retry-After (seconds or HTTP date) longer than the retry schedule is honoured, up to a day." },
                ["503"] = new OpenApiResponse { Description = "Retried; a Retry-After (seconds or HTTP date) longer than the retry schedule is honoured, up to a day." },
                ["default"] = new OpenApiResponse { Description = "Any other answer, or none within the timeout, is a failed attempt, retried on the schedule (1 min, 5 min, 30 min by default) and then dead-lettered." },
            },
        };
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = operation } };
    }
}
