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
        ["Retry-After"] = ("Seconds to wait before retrying (429 only).", "integer"),
        ["Idempotent-Replayed"] = ("true when the response is the stored result of an earlier request with the same Idempotency-Key.", "string"),
    };

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Tenants", "Organisations using the product, and their API keys. Creating tenants and keys needs the admin key."),
        ("Events", "Domain events the product publishes; each is stored, put on Kafka and delivered to subscribed webhook endpoints."),
        ("Event types", "The catalog of event types with the JSON Schema of their data."),
        ("Webhook endpoints", "HTTPS endpoints that receive a tenant's events as signed POST requests."),
        ("Webhook deliveries", "Every attempt to deliver an event to an endpoint, with its outcome."),
        ("Members", "The people of an organisation who sign in to the OAuth authorization server and authorize apps (docs/oauth.md)."),
        ("Apps", "Third-party OAuth apps: registration, marketplace review and listing, installed apps, signing keys (docs/oauth.md)."),
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
        return Task.CompletedTask;
    }

    private static bool UsedTag(OpenApiDocument document, string tag) =>
        document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).Any(o => o.Tags?.Any(t => t.Name == tag) == true);

    /// <summary>The POST a subscribed endpoint receives for one event type: the event envelope with the type's data schema.</summary>
    private static OpenApiPathItem Webhook(EventTypeDefinition type, OpenApiDocument document)
    {
        var data = OpenApiModelFactory.Parse<OpenApiSchema>(type.Schema, OpenApiSpecVersion.OpenApi3_1, document, out _, "json")
            ?? throw new InvalidOperationException($"The schema of {type.Name} does not parse as an OpenAPI 3.1 schema.");
        data.Schema = null; // the document's dialect applies; a nested $schema only confuses tools
        var envelope = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "id", "event_type", "tenant_id", "timestamp", "schema_version", "data" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The event id; the same on every delivery attempt, so receivers deduplicate by it." },
                ["event_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type.Name },
                ["tenant_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
                ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the platform accepted the event." },
                ["schema_version"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Enum = [JsonValue.Create(1)] },
                ["data"] = data,
            },
        };
        var sample = new JsonObject
        {
            ["id"] = "0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8",
            ["event_type"] = type.Name,
            ["tenant_id"] = "0193a5f0-1c2d-7e3f-8a4b-5c6d7e8f9a0b",
            ["timestamp"] = "2026-11-22T09:15:00+00:00",
            ["schema_version"] = 1,
            ["data"] = JsonNode.Parse(type.Sample),
        };
        var operation = new OpenApiOperation
        {
            OperationId = "webhook_" + type.Name.Replace('.', '_'),
            Summary = type.Name,
            Description = $"{type.Description} Sent as a signed POST (Standard Webhooks headers webhook-id, webhook-timestamp, webhook-signature) to every enabled endpoint subscribed to {type.Name} or *. See docs/webhooks.md for verifying the signature.",
            Tags = new HashSet<OpenApiTagReference> { new(WebhookTag, document) },
            Parameters = new[] { "webhook-id", "webhook-timestamp", "webhook-signature" }.Select(name => (IOpenApiParameter)new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Header,
                Required = true,
                Description = name switch
                {
                    "webhook-id" => "The delivery's message id: identical across retries of one event to one endpoint.",
                    "webhook-timestamp" => "Unix seconds when this attempt was signed; reject stale ones to stop replays.",
                    _ => "Space-separated v1,<base64 HMAC-SHA256> signatures of id.timestamp.body; two during a secret rotation.",
                },
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            }).ToList(),
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = envelope, Example = sample } },
            },
            Responses = new OpenApiResponses
            {
                ["2XX"] = new OpenApiResponse { Description = "Received. Any 2xx within 15 seconds counts as delivered; anything else is retried with backoff." },
            },
        };
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = operation } };
    }
}
