using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Application.Common.Listing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Integrations.Api.OpenApi;

/// <summary>
/// Per operation: the list parameters of list endpoints, every error response in the error format
/// with the codes the endpoint uses, the responses every /api endpoint can give (401, 403, 429,
/// 500), the standard response headers, examples, and who may call it (x-access).
/// </summary>
public sealed class ApiOperationTransformer(IOptions<JsonOptions> json) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        operation.Parameters ??= [];
        operation.Responses ??= new OpenApiResponses();

        if (metadata.OfType<ListEndpointMetadata>().FirstOrDefault() is { } list) AddListParameters(operation, list);
        DescribeParameters(operation);

        var errors = metadata.OfType<ErrorCodesMetadata>().GroupBy(e => e.Status).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Codes).ToList());
        void Error(int status, params string[] codes)
        {
            if (!errors.TryGetValue(status, out var known)) errors[status] = known = [];
            known.AddRange(codes.Where(c => !known.Contains(c)));
        }
        var requiresAuth = metadata.OfType<IAuthorizeData>().Any();
        if (requiresAuth) Error(401, "unauthenticated", "invalid_credentials");
        if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AuthenticationExtensions.AdminPolicy)) Error(403, "forbidden");
        // OAuth access tokens (docs/oauth.md): a token without the operation's scope, or on an operation closed to tokens.
        else if (requiresAuth) Error(403, "insufficient_scope");
        if (operation.RequestBody is not null)
        {
            Error(400, "invalid_json");
            Error(413, "payload_too_large");
            Error(415, "unsupported_media_type");
        }
        // Every endpoint refuses unknown query parameters (StrictQueryParameters).
        Error(400, "invalid_parameter");
        var headers = operation.Parameters.Where(p => p.In == ParameterLocation.Header).Select(p => p.Name).ToList();
        // RequestContextMiddleware: the headers the API reads must be printable ASCII.
        if (requiresAuth || headers.Contains("Idempotency-Key") || headers.Contains("If-Match")) Error(400, "invalid_header");
        if (context.Description.RelativePath?.Contains('{') == true) Error(404, "not_found");
        // A path with ".." segments resolves to another route, which may not take this method.
        Error(405, "method_not_allowed");
        Error(414, "uri_too_long");
        // An Idempotency-Key over 255 characters; the admin key without the tenant_id a tenant-scoped operation needs.
        if (headers.Contains("Idempotency-Key") || metadata.OfType<AccessMetadata>().Any(a => a.Access == "tenant_or_admin")) Error(422, "validation_failed");
        Error(429, "rate_limited");
        Error(500, "internal_error");
        Error(503, "service_unavailable");
        // The document requires the bearer scheme everywhere; an anonymous operation says so with an empty requirement.
        if (!requiresAuth) operation.Security = [new OpenApiSecurityRequirement()];

        foreach (var (status, codes) in errors.OrderBy(e => e.Key))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ErrorResponse(document, status, codes);
        }
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var header in new[] { "X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset" })
                concrete.Headers[header] = new OpenApiHeaderReference(header, document);
            if (status is "429" or "503") concrete.Headers["Retry-After"] = new OpenApiHeaderReference("Retry-After", document);
            if (status.StartsWith('2') && operation.Parameters.Any(p => p.Name == "Idempotency-Key"))
                concrete.Headers["Idempotent-Replayed"] = new OpenApiHeaderReference("Idempotent-Replayed", document);
            if (string.IsNullOrEmpty(concrete.Description) || concrete.Description is "OK" or "Created" or "Accepted" or "No Content")
                concrete.Description = SuccessDescription(status);
        }

        foreach (var example in metadata.OfType<ExampleMetadata>())
        {
            var node = JsonSerializer.SerializeToNode(example.Value, json.Value.SerializerOptions);
            var content = example.Status is { } status
                ? (operation.Responses.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var r) ? r.Content : null)
                : operation.RequestBody?.Content;
            if (content is not null && content.TryGetValue("application/json", out var media)) media.Example = node;
        }

        if (metadata.OfType<AccessMetadata>().FirstOrDefault() is { } access)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-access"] = new JsonNodeExtension(JsonValue.Create(access.Access));
        }
        return Task.CompletedTask;
    }

    private static string SuccessDescription(string status) => status switch
    {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: stored durably, processed asynchronously",
        "204" => "No Content",
        _ => "Success",
    };

    private static OpenApiResponse ErrorResponse(OpenApiDocument document, int status, IReadOnlyList<string> codes)
    {
        var example = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = codes[0],
                ["message"] = "A human-readable explanation.",
                ["details"] = new JsonArray(),
            },
        };
        return new OpenApiResponse
        {
            Description = $"Error codes: {string.Join(", ", codes.Select(c => $"`{c}`"))}. See the error conventions in /docs.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference("ApiErrorBody", document), Example = example },
            },
        };
    }

    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters!.OfType<OpenApiParameter>())
        {
            parameter.Description ??= parameter.Name switch
            {
                "Idempotency-Key" => "Makes the request safe to retry: a repeat with the same key returns the first result for 24 hours (with Idempotent-Replayed: true); the same key with a different body is 409 idempotency_key_reused. Use a random value (e.g. a UUID) per operation.",
                "tenant_id" => "Only with the admin key: the tenant to act on. A tenant key always acts on its own tenant.",
                "id" => "The resource's id.",
                _ => null,
            };
        }
    }

    private void AddListParameters(OpenApiOperation operation, ListEndpointMetadata list)
    {
        var spec = list.Spec;
        var fields = ListRequest.FieldNames(list.ItemType, json.Value.SerializerOptions);
        var orders = spec.SortOrders.Select(o => string.Join(",", o.Select(f => f + ":desc")));
        operation.Parameters!.Add(Query("limit", $"Items per page, 1 to {ListSpec.MaxLimit}.", new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Minimum = "1", Maximum = ListSpec.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = ListSpec.DefaultLimit,
        }));
        operation.Parameters.Add(Query("cursor", "next_cursor or previous_cursor of a page; opaque. Only valid with the sort and filters of the request that returned it.",
            new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("sort",
            $"Comma-separated keys, each key:asc or key:desc; the id breaks ties. Supported orders: {string.Join("; ", orders)} (any direction per key). Default: {string.Join(",", spec.DefaultSort)}.",
            new OpenApiSchema { Type = JsonSchemaType.String, Default = string.Join(",", spec.DefaultSort) }));
        operation.Parameters.Add(Query("fields", $"Comma-separated fields to return for each item; id is always included. Fields: {string.Join(", ", fields)}.",
            new OpenApiSchema { Type = JsonSchemaType.String }));
        foreach (var filter in spec.Filters)
        {
            var schema = filter.Type switch
            {
                ListFieldType.Timestamp => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                ListFieldType.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer },
                ListFieldType.Uuid => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
                _ => new OpenApiSchema { Type = JsonSchemaType.String, Enum = filter.AllowedValues?.Select(v => (JsonNode)JsonValue.Create(v)!).ToList() },
            };
            operation.Parameters.Add(Query(filter.Name, filter.Description, schema));
        }
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };
}
