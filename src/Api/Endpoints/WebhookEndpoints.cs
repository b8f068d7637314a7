using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookEndpointHealth;
using Integrations.Application.WebhookEndpoints.Commands.CreateWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.DeleteWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.DisableWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.EnableWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.RotateWebhookEndpointSecret;
using Integrations.Application.WebhookEndpoints.Commands.UpdateWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Queries.GetWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Queries.ListWebhookEndpoints;
using Integrations.Application.WebhookEndpoints.Queries.RevealWebhookEndpointSecret;
using Integrations.Domain.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record CreateWebhookEndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description = null, int? RateLimitPerMinute = null, Guid? TenantId = null);

/// <summary>
/// A JSON merge patch. <see cref="Description"/> is raw JSON to tell "absent" (unchanged) from
/// null (remove it); the other fields cannot be removed, so null or absent leaves them unchanged.
/// Init properties rather than constructor parameters: every field is optional, and the OpenAPI
/// schema generator cannot describe a JsonElement parameter's default value.
/// </summary>
public sealed record UpdateWebhookEndpointRequest
{
    public string? Url { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }

    public JsonElement Description { get; init; }

    public int? RateLimitPerMinute { get; init; }
}

public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpointEndpoints(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/api/v1/webhook-endpoints").WithTags("Webhook endpoints")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        endpoints.MapPost("/", async (CreateWebhookEndpointRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
        {
            var created = await request.Send(new CreateWebhookEndpointCommand(request.ResolveTenant(body.TenantId), body.Url, body.EventTypes, body.Description,
                body.RateLimitPerMinute, idempotencyKey));
            return NoStore(request.Http, Results.Created($"/api/v1/webhook-endpoints/{created.Id}", created));
        })
        .WithName("createWebhookEndpoint").WithSummary("Create a webhook endpoint")
        .WithDescription("Registers an HTTPS endpoint for the listed event types (or [\"*\"]). The response is the only one that carries the signing secret, besides reveal-secret. Honours Idempotency-Key.")
        .Produces<CreatedWebhookEndpointDto>(StatusCodes.Status201Created)
        .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
        .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
        .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_url", "unsafe_url", "unresolvable_url", "unknown_event_type")
        .WithRequestExample(new { url = "https://hooks.example.com/integrations", event_types = new[] { "invoice.paid", "invoice.failed" }, description = "Billing sync" });

        endpoints.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListWebhookEndpointsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<WebhookEndpointDto>(ListWebhookEndpointsQuery.Spec, "tenant_id")
            .WithName("listWebhookEndpoints").WithSummary("List webhook endpoints")
            .WithDescription("The tenant's endpoints, newest first by default, never with their secrets.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        endpoints.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            Results.Ok(await request.Send(new GetWebhookEndpointQuery(request.ResolveTenant(), id))))
            .WithName("getWebhookEndpoint").WithSummary("Retrieve a webhook endpoint")
            .WithDescription("One endpoint with its status and why it is disabled, if it is.")
            .Produces<WebhookEndpointDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapGet("/{id:guid}/health", async (Guid id, [AsParameters] TenantRequest request) =>
            Results.Ok(await request.Send(new GetWebhookEndpointHealthQuery(request.ResolveTenant(), id))))
            .WithName("getWebhookEndpointHealth").WithSummary("Retrieve a webhook endpoint's health")
            .WithDescription("Its failed attempts in a row (and the count that disables it), its last success and failure, its circuit breaker (closed, open or half_open, and when the next probe may go), and how many deliveries wait for it, of which how many the open circuit holds.")
            .Produces<WebhookEndpointHealthDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapPatch("/{id:guid}", async (Guid id, UpdateWebhookEndpointRequest body, [AsParameters] TenantRequest request) =>
            Results.Ok(await request.Send(new UpdateWebhookEndpointCommand(request.ResolveTenant(), id,
                body.Url, body.EventTypes, Description(body.Description), body.RateLimitPerMinute))))
            .WithName("updateWebhookEndpoint").WithSummary("Update a webhook endpoint")
            .WithDescription("A JSON merge patch of url, event_types, description (null removes it) and rate_limit_per_minute. A new url is checked like at registration.")
            .Produces<WebhookEndpointDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_url", "unsafe_url", "unresolvable_url", "unknown_event_type")
            .WithRequestExample(new { event_types = new[] { "*" }, description = (string?)null });

        endpoints.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
        {
            await request.Send(new DeleteWebhookEndpointCommand(request.ResolveTenant(), id));
            return Results.NoContent();
        })
        .WithName("deleteWebhookEndpoint").WithSummary("Delete a webhook endpoint")
        .WithDescription("The endpoint is gone at once and receives nothing more.")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapPost("/{id:guid}/enable", async (Guid id, [AsParameters] TenantRequest request) =>
            Results.Ok(await request.Send(new EnableWebhookEndpointCommand(request.ResolveTenant(), id))))
            .WithName("enableWebhookEndpoint").WithSummary("Enable a webhook endpoint")
            .WithDescription("Deliveries resume, pending ones included.")
            .Produces<WebhookEndpointDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapPost("/{id:guid}/disable", async (Guid id, [AsParameters] TenantRequest request) =>
            Results.Ok(await request.Send(new DisableWebhookEndpointCommand(request.ResolveTenant(), id,
                DisabledReasons.Manual, "Disabled through the API."))))
            .WithName("disableWebhookEndpoint").WithSummary("Disable a webhook endpoint")
            .WithDescription("Stops deliveries (disabled_reason manual) and emits webhook_endpoint.disabled to the tenant.")
            .Produces<WebhookEndpointDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapPost("/{id:guid}/rotate-secret", async (Guid id, [AsParameters] TenantRequest request) =>
            NoStore(request.Http, Results.Ok(await request.Send(new RotateWebhookEndpointSecretCommand(request.ResolveTenant(), id)))))
            .WithName("rotateWebhookEndpointSecret").WithSummary("Rotate an endpoint's signing secret")
            .WithDescription("A new secret signs from now on; the previous one keeps signing beside it until previous_secret_expires_at, so receivers can switch without a gap.")
            .Produces<RotatedSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        // POST rather than GET: a secret never sits in a URL that proxies and caches may log or keep.
        endpoints.MapPost("/{id:guid}/reveal-secret", async (Guid id, [AsParameters] TenantRequest request) =>
            NoStore(request.Http, Results.Ok(await request.Send(new RevealWebhookEndpointSecretQuery(request.ResolveTenant(), id)))))
            .WithName("revealWebhookEndpointSecret").WithSummary("Reveal an endpoint's signing secret")
            .WithDescription("The current secret, for a receiver that lost it.")
            .Produces<WebhookEndpointSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        return app;
    }

    /// <summary>Merge-patch semantics for the one removable field: absent = unchanged (null), null = remove (""), a string = set.</summary>
    private static string? Description(JsonElement description) => description.ValueKind switch
    {
        JsonValueKind.Undefined => null,
        JsonValueKind.Null => "",
        JsonValueKind.String => description.GetString(),
        _ => throw new ValidationException([new ValidationError("description", "invalid_type", "description must be a string or null.")]),
    };

    /// <summary>Responses that carry a secret must not be kept by any cache.</summary>
    internal static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
