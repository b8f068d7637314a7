using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors;
using Integrations.Application.Hooks;
using Integrations.Application.Hooks.Commands.SubscribeHook;
using Integrations.Application.Hooks.Commands.UnsubscribeHook;
using Integrations.Application.Hooks.Queries.GetHook;
using Integrations.Application.Hooks.Queries.GetHookSamples;
using Integrations.Application.Hooks.Queries.ListHooks;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record SubscribeHookRequest(
    [property: Description("Where the events go: the automation tool's hook URL (the SSRF rules of webhook endpoints apply).")] string? TargetUrl,
    IReadOnlyList<string>? EventTypes,
    [property: Description("Conditions the event must meet, all of them, e.g. [{\"path\": \"data.changed_fields\", \"op\": \"contains\", \"value\": \"status\"}].")]
    IReadOnlyList<RouteConditionRequest>? Filter = null,
    [property: Description("Confirm the target first: it is POSTed X-Hook-Secret (the hook's signing secret) and must answer 2xx with the same header (RESTHooks.org). Default false.")]
    bool? Verify = null,
    Guid? TenantId = null);

/// <summary>The REST Hooks API that Zapier, Make and n8n subscribe through (docs/no-code.md, ADR 0022).</summary>
public static class HookEndpoints
{
    public static IEndpointRouteBuilder MapHookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/v1/hooks").WithTags("REST hooks")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        hooks.MapPost("/", async (SubscribeHookRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
        {
            var created = await request.Send(new SubscribeHookCommand(request.ResolveTenant(body.TenantId), body.TargetUrl, body.EventTypes,
                ConnectorEndpoints.Conditions(body.Filter), body.Verify ?? false, idempotencyKey));
            return WebhookEndpoints.NoStore(request.Http, Results.Created($"/api/v1/hooks/{created.Id}", created));
        })
        .WithName("subscribeHook").WithSummary("Subscribe a REST hook")
        .WithDescription("A webhook endpoint of kind hook for target_url: events of the listed types (or [\"*\"]) that pass the filter are delivered to it, signed (Standard Webhooks) with the secret in this response, retried and logged like any endpoint's. A target answering 410 Gone deletes the hook. With verify, the target must first echo the X-Hook-Secret handshake. Honours Idempotency-Key.")
        .Produces<CreatedHookDto>(StatusCodes.Status201Created)
        .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
        .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
        .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_url", "unsafe_url", "unresolvable_url", "unknown_event_type", "invalid_filter", "hook_handshake_failed")
        .WithRequestExample(new
        {
            target_url = "https://hooks.zapier.com/hooks/standard/123/abc/",
            event_types = new[] { "entity.updated" },
            filter = new[] { new { path = "data.changed_fields", op = "contains", value = "status" } },
        });

        hooks.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListHooksQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<HookDto>(ListHooksQuery.Spec, "tenant_id")
            .WithName("listHooks").WithSummary("List REST hooks")
            .WithDescription("The tenant's hooks, newest first by default, never with their secrets.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        hooks.MapGet("/samples", async ([FromQuery(Name = "event_type")][Description("An event type of the catalog (GET /api/v1/event-types).")] string? eventType,
                [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetHookSamplesQuery(request.ResolveTenant(), eventType))))
            .WithName("listHookSamples").WithSummary("Sample events for a hook")
            .WithDescription($"The tenant's latest events of the type (at most {GetHookSamplesQuery.MaxSamples}), newest first, shaped as a hook delivery carries them; if it has none, the catalog's sample, whose id is the same on every call.")
            .Produces<IReadOnlyList<HookSampleDto>>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        hooks.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetHookQuery(request.ResolveTenant(), id))))
            .WithName("getHook").WithSummary("Retrieve a REST hook")
            .WithDescription("One hook with its status. Its delivery log and health are those of the webhook endpoint with the same id.")
            .Produces<HookDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "hook_not_found", "tenant_not_found");

        hooks.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
        {
            await request.Send(new UnsubscribeHookCommand(request.ResolveTenant(), id));
            return Results.NoContent();
        })
        .WithName("unsubscribeHook").WithSummary("Unsubscribe a REST hook")
        .WithDescription("The hook is gone at once and receives nothing more; its pending deliveries are dead-lettered.")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesError(StatusCodes.Status404NotFound, "hook_not_found", "tenant_not_found");

        return app;
    }
}
