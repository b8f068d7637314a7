using System.ComponentModel;
using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Events.Commands.IngestEvent;
using Integrations.Application.Events.Commands.IngestEvents;
using Integrations.Application.Events.Queries.GetEvent;
using Integrations.Application.Events.Queries.ListEvents;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record IngestEventRequest(
    [property: Description("A type from GET /api/v1/event-types that the product may publish.")] string? EventType,
    [property: Description("The payload: a JSON object that satisfies the type's schema.")] JsonElement Data,
    [property: Description("Only with the admin key: the tenant the event belongs to. A tenant key always publishes for its own tenant.")] Guid? TenantId = null);

public sealed record IngestEventsRequestEvent(
    [property: Description("A type from GET /api/v1/event-types that the product may publish.")] string? EventType,
    [property: Description("The payload: a JSON object that satisfies the type's schema.")] JsonElement Data);

public sealed record IngestEventsRequest(
    [property: Description("1 to 100 events, stored in this order.")] IReadOnlyList<IngestEventsRequestEvent?>? Events,
    [property: Description("Only with the admin key: the tenant all the events belong to. A tenant key always publishes for its own tenant.")] Guid? TenantId = null);

public static class EventEndpoints
{
    /// <summary>
    /// The batch endpoint's body limit (the API-wide one is <see cref="ApiHost.MaxRequestBodyBytes"/>):
    /// room for 100 ordinary events, not for 100 of the largest; send big payloads in smaller batches.
    /// </summary>
    public const long MaxBatchBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/v1/events").WithTags("Events")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");
        var invoice = JsonSerializer.SerializeToElement(new { invoice_id = "in_1Qx7", amount_cents = 4200, currency = "EUR" });
        var timestamp = new DateTimeOffset(2026, 11, 22, 9, 15, 0, TimeSpan.Zero);
        var eventId = Guid.Parse("0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8");

        // 202: accepted and durably stored; delivery happens asynchronously (outbox → Kafka → workers).
        events.MapPost("/", async (IngestEventRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
            {
                var accepted = await request.Send(new IngestEventCommand(request.ResolveTenant(body.TenantId), body.EventType ?? "", body.Data, idempotencyKey));
                return Results.Accepted($"/api/v1/events/{accepted.Id}", accepted);
            })
            .WithName("publishEvent").WithSummary("Publish an event")
            .WithDescription("Stores the event durably and answers 202; it then reaches Kafka and the tenant's webhook endpoints asynchronously. data is validated against the type's schema. Send an Idempotency-Key so that a retry never publishes twice.")
            .Produces<EventAcceptedDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "unknown_event_type", "reserved_event_type", "schema_violation", "invalid_character")
            .WithRequestExample(new { event_type = "invoice.paid", data = invoice })
            .WithResponseExample(StatusCodes.Status202Accepted, new EventAcceptedDto(eventId, "invoice.paid", timestamp));

        // All or nothing, in one transaction: every event is validated first; one invalid event refuses the batch.
        events.MapPost("/batch", async (IngestEventsRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
            {
                var tenantId = request.ResolveTenant(body.TenantId);
                var batch = body.Events?.Select(e => e is null ? null : new BatchedEvent(e.EventType ?? "", e.Data)).ToList();
                return Results.Accepted(value: await request.Send(new IngestEventsCommand(tenantId, batch, idempotencyKey)));
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxBatchBodyBytes))
            .WithName("publishEvents").WithSummary("Publish a batch of events")
            .WithDescription("Stores 1 to 100 events of one tenant in one transaction and answers 202 with their ids in request order; on Kafka they keep that order. " +
                "All or nothing: if any event is invalid the answer is 422 validation_failed with details naming it (events[3].data.amount_cents) and nothing is stored. " +
                "The body may be up to 1 MiB (413 payload_too_large beyond); each event's data up to 256 KiB. One batch counts as one request against the rate limit. " +
                "Send an Idempotency-Key so that a retry never publishes the batch twice.")
            .Produces<EventsAcceptedDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "out_of_range", "unknown_event_type", "reserved_event_type", "schema_violation", "invalid_character")
            .WithRequestExample(new { events = new object[] { new { event_type = "invoice.paid", data = invoice }, new { event_type = "user.joined", data = new { user_id = "u_42" } } } })
            .WithResponseExample(StatusCodes.Status202Accepted, new EventsAcceptedDto([
                new EventAcceptedDto(eventId, "invoice.paid", timestamp),
                new EventAcceptedDto(Guid.Parse("0193a5f3-4d5e-7f60-8172-93a4b5c6d7e9"), "user.joined", timestamp)]));

        events.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListEventsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<EventDto>(ListEventsQuery.Spec, "tenant_id")
            .WithName("listEvents").WithSummary("List events")
            .WithDescription("The tenant's events, newest first by default. The admin key must name the tenant with tenant_id.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        events.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetEventQuery(request.ResolveTenant(), id))))
            .WithName("getEvent").WithSummary("Retrieve an event")
            .WithDescription("One event with its dispatch status: accepted (stored), then dispatched (handed to Kafka consumers).")
            .Produces<EventDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "event_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithResponseExample(StatusCodes.Status200OK, new EventDto(eventId, TenantEndpoints.ExampleTenantId, "invoice.paid", invoice, timestamp, "dispatched", timestamp.AddSeconds(1), 4711));

        return app;
    }
}
