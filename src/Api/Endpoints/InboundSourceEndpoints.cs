using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Commands.CreateInboundSource;
using Integrations.Application.Inbound.Commands.DeleteInboundSource;
using Integrations.Application.Inbound.Commands.UpdateInboundSource;
using Integrations.Application.Inbound.Queries.GetInboundSource;
using Integrations.Application.Inbound.Queries.ListInboundRequests;
using Integrations.Application.Inbound.Queries.ListInboundSources;
using Integrations.Domain.Inbound;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record CreateInboundSourceRequest(
    [property: Description("What the source is, e.g. \"Billing system\".")] string? Name,
    [property: Description("How its requests are verified: kind hmac (header, algorithm, encoding, prefix, template, timestamp_header, tolerance_seconds), standard_webhooks, or basic (username).")]
    SourceVerifierSpec? Verifier,
    [property: Description("The sender's secret (HMAC key, whsec_ secret, or password); omitted: the platform draws one. Shown in this answer only.")] string? Secret = null,
    [property: Description("Tell the tenant (a notification) when nothing verified arrived for this many seconds: 300 to 2592000; omitted: never.")]
    int? SilenceAlertAfterSeconds = null);

/// <summary>A JSON merge patch of an inbound source: absent or null leaves a field as it is.</summary>
public sealed record UpdateInboundSourceRequest(
    [property: Description("Seconds without a verified request before the tenant is told (300 to 2592000); 0 switches the alert off.")]
    int? SilenceAlertAfterSeconds = null);

/// <summary>Tenants' inbound sources and their inbound log (docs/inbound.md).</summary>
public static class InboundSourceEndpoints
{
    private const string Tag = "Inbound sources";

    public static IEndpointRouteBuilder MapInboundSourceEndpoints(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/api/v1/inbound-sources").WithTags(Tag)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        sources.MapPost("/", async (CreateInboundSourceRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] TenantRequest request) =>
            {
                var created = await request.Send(new CreateInboundSourceCommand(request.ResolveTenant(), body.Name, body.Verifier, body.Secret, idempotencyKey,
                    body.SilenceAlertAfterSeconds));
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/v1/inbound-sources/{created.Id}", created);
            })
            .WithName("createInboundSource").WithSummary("Create an inbound source")
            .WithDescription("A URL of the tenant's own (path: POST it at the platform's public base URL) for a system that sends webhooks. " +
                             "Requests are verified with the verifier and become inbound.received events. The secret is in this answer only. Honours Idempotency-Key.")
            .Produces<CreatedInboundSourceDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "required", "invalid_value", "too_long", "too_short")
            .WithRequestExample(new
            {
                name = "Billing system",
                verifier = new { kind = "hmac", header = "X-Signature", algorithm = "sha256", encoding = "hex", prefix = "sha256=", template = "{timestamp}.{body}",
                                 timestamp_header = "X-Timestamp", tolerance_seconds = 300 },
            });

        sources.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListInboundSourcesQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<InboundSourceDto>(ListInboundSourcesQuery.Spec, "tenant_id")
            .WithName("listInboundSources").WithSummary("List inbound sources")
            .WithDescription("The tenant's sources, newest first; never a secret.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        sources.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetInboundSourceQuery(request.ResolveTenant(), id))))
            .WithName("getInboundSource").WithSummary("Retrieve an inbound source")
            .WithDescription("One source and its verifier, never its secret.")
            .Produces<InboundSourceDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "inbound_source_not_found");

        sources.MapPatch("/{id:guid}", async (Guid id, UpdateInboundSourceRequest body, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new UpdateInboundSourceCommand(request.ResolveTenant(), id, body.SilenceAlertAfterSeconds))))
            .WithName("updateInboundSource").WithSummary("Update an inbound source")
            .WithDescription("A JSON merge patch of the silence alert: silence_alert_after_seconds (300 to 2592000; 0 switches it off). The silence is " +
                             "counted from the last verified request, or from this change if that is later.")
            .Produces<InboundSourceDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "inbound_source_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_value")
            .WithRequestExample(new { silence_alert_after_seconds = 86400 });

        sources.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new DeleteInboundSourceCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .WithName("deleteInboundSource").WithSummary("Delete an inbound source")
            .WithDescription("Its URL answers 404 from now on; its secret is erased.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "inbound_source_not_found");

        sources.MapGet("/{id:guid}/requests", async (Guid id, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListInboundRequestsQuery(request.ResolveTenant(), id, list.Query)), request.Http))
            .WithListConventions<InboundRequestDto>(ListInboundRequestsQuery.Spec, "tenant_id")
            .WithName("listInboundRequests").WithSummary("List a source's inbound requests")
            .WithDescription("The inbound log, newest first: when each request arrived, whether it verified (and why not), the tenant it was routed to, " +
                             "its status (pending, processed, unrouted, rejected, failed) and the events it became. Bodies are not shown.")
            .ProducesError(StatusCodes.Status404NotFound, "inbound_source_not_found");
        return app;
    }
}
