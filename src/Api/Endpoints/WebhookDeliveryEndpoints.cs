using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries.Commands.RecoverWebhookEndpoint;
using Integrations.Application.WebhookDeliveries.Commands.RetryWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Commands.SendTestWebhook;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Queries.ListEndpointDeliveries;
using Integrations.Application.WebhookDeliveries.Queries.ListWebhookDeliveries;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record RecoverWebhookEndpointRequest(
    [property: Description("Requeue every delivery of the endpoint dead-lettered at or after this RFC 3339 instant.")] DateTimeOffset? Since);

public sealed record SendTestWebhookRequest(
    [property: Description("A type from GET /api/v1/event-types; its catalog sample is sent.")] string? EventType);

/// <summary>The delivery log, the dead-letter queue and its replay, and test sends (docs/webhooks.md#delivery).</summary>
public static class WebhookDeliveryEndpoints
{
    public static IEndpointRouteBuilder MapWebhookDeliveryEndpoints(this IEndpointRouteBuilder app)
    {
        var deliveries = app.MapGroup("/api/v1/webhook-deliveries").WithTags("Webhook deliveries")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        deliveries.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request, [FromQuery(Name = "endpoint_id")] Guid? endpointId) =>
                list.Page(await request.Send(new ListWebhookDeliveriesQuery(ReadScope(request), endpointId, list.Query)), request.Http))
            .WithListConventions<WebhookDeliveryDto>(ListWebhookDeliveriesQuery.Spec, "tenant_id", "endpoint_id")
            .WithName("listWebhookDeliveries").WithSummary("List webhook deliveries")
            .WithDescription("The delivery log, newest first; status=failed is the dead-letter queue. A tenant key sees its tenant's deliveries; " +
                             "the admin key sees every tenant's, or one tenant's with tenant_id. endpoint_id narrows to one endpoint.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        deliveries.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetWebhookDeliveryQuery(ReadScope(request), id))))
            .WithName("getWebhookDelivery").WithSummary("Retrieve a webhook delivery")
            .WithDescription("One delivery with every attempt: status code, the first 1 KiB of the answer, duration, error kind, when.")
            .Produces<WebhookDeliveryDetailDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_delivery_not_found");

        deliveries.MapPost("/{id:guid}/retry", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Accepted($"/api/v1/webhook-deliveries/{id}", await request.Send(new RetryWebhookDeliveryCommand(ReadScope(request), id))))
            .WithName("retryWebhookDelivery").WithSummary("Retry a dead-lettered delivery")
            .WithDescription("Sends a failed delivery again at once, with the same webhook_id, and gives it the full retry schedule. A pending delivery is left as it is.")
            .Produces<WebhookDeliveryDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_delivery_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "webhook_endpoint_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "webhook_delivery_succeeded");

        var endpoints = app.MapGroup("/api/v1/webhook-endpoints").WithTags("Webhook endpoints")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        endpoints.MapGet("/{id:guid}/deliveries", async (Guid id, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListEndpointDeliveriesQuery(request.ResolveTenant(), id, list.Query)), request.Http))
            .WithListConventions<WebhookDeliveryDto>(ListWebhookDeliveriesQuery.Spec, "tenant_id")
            .WithName("listWebhookEndpointDeliveries").WithSummary("List an endpoint's deliveries")
            .WithDescription("The endpoint's delivery log, newest first, filtered by status and event type.")
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "tenant_not_found");

        endpoints.MapPost("/{id:guid}/recover", async (Guid id, RecoverWebhookEndpointRequest body, [AsParameters] TenantRequest request) =>
            {
                var since = body.Since ?? throw new ValidationException([new ValidationError("since", "required", "since is required.")]);
                return Results.Accepted($"/api/v1/webhook-endpoints/{id}/deliveries",
                    await request.Send(new RecoverWebhookEndpointCommand(request.ResolveTenant(), id, since)));
            })
            .WithName("recoverWebhookEndpoint").WithSummary("Replay an endpoint's dead letters")
            .WithDescription("Requeues every delivery of the endpoint that was dead-lettered at or after since, however many, in pages of bounded size; " +
                             "answers with how many were requeued. If interrupted, calling it again requeues the rest.")
            .Produces<RecoveredDeliveriesDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        endpoints.MapPost("/{id:guid}/test", async (Guid id, SendTestWebhookRequest body, [AsParameters] TenantRequest request) =>
            {
                var delivery = await request.Send(new SendTestWebhookCommand(request.ResolveTenant(), id, body.EventType));
                return Results.Accepted($"/api/v1/webhook-deliveries/{delivery.Id}", delivery);
            })
            .WithName("testWebhookEndpoint").WithSummary("Send a test event")
            .WithDescription("Sends the catalog sample of event_type to the endpoint now, signed and logged like any delivery and marked is_test; " +
                             "the answer is the delivery, whose id is the webhook_id the endpoint receives.")
            .Produces<WebhookDeliveryDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "webhook_endpoint_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "webhook_endpoint_disabled")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "unknown_event_type");

        return app;
    }

    /// <summary>
    /// The tenant a read or a retry acts on: a tenant key only its own (TenantScope); the admin
    /// every tenant's (null) unless it names one.
    /// </summary>
    private static Guid? ReadScope(TenantRequest request) =>
        request.Http.User.TenantId() is null && request.Http.User.IsAdmin() ? request.TenantId : request.ResolveTenant();
}
