using System.ComponentModel;
using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Commands.CreateRoute;
using Integrations.Application.Connectors.Commands.DeleteRoute;
using Integrations.Application.Connectors.Commands.ReplayConnectorCall;
using Integrations.Application.Connectors.Commands.ReplayConnectorCalls;
using Integrations.Application.Connectors.Commands.UpdateRoute;
using Integrations.Application.Connectors.Queries.GetConnectorCall;
using Integrations.Application.Connectors.Queries.GetRoute;
using Integrations.Application.Connectors.Queries.ListConnectorCalls;
using Integrations.Application.Connectors.Queries.ListRoutes;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record RouteConditionRequest(
    [property: Description("A template path: data.<field>… or event.type, event.id, event.tenant_id, event.timestamp.")] string? Path,
    [property: Description("eq, ne, in, not_in, exists, gt, gte, lt, lte, contains, starts_with.")] string? Op,
    [property: Description("The JSON value to compare with (an array for in and not_in, true or false for exists).")] JsonElement? Value);

public sealed record CreateRouteRequest(
    IReadOnlyList<string>? EventTypes,
    [property: Description("The action, e.g. http.request; the connection's provider lists those it offers.")] string? Action,
    [property: Description("The action's settings; for http.request: method, path or url, headers, body (a template).")] JsonElement? Settings = null,
    IReadOnlyList<RouteConditionRequest>? Filter = null,
    string? Name = null,
    bool? Enabled = null);

/// <summary>A JSON merge patch of a route: absent or null leaves a field as it is (an empty name removes it).</summary>
public sealed record UpdateRouteRequest(
    string? Name = null,
    IReadOnlyList<string>? EventTypes = null,
    IReadOnlyList<RouteConditionRequest>? Filter = null,
    string? Action = null,
    JsonElement? Settings = null,
    bool? Enabled = null);

public sealed record ReplayConnectorCallsRequest(
    [property: Description("Replay the dead letters that failed at or after this RFC 3339 instant; absent: all of them.")] DateTimeOffset? FailedSince = null);

/// <summary>A connection's routes and calls: the connector runtime (docs/connections.md#routes).</summary>
public static class ConnectorEndpoints
{
    public static IEndpointRouteBuilder MapConnectorEndpoints(this IEndpointRouteBuilder app)
    {
        var routes = app.MapGroup("/api/v1/connections/{connectionId:guid}/routes").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        routes.MapPost("/", async (Guid connectionId, CreateRouteRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
                [AsParameters] TenantRequest request) =>
            {
                var created = await request.Send(new CreateRouteCommand(request.ResolveTenant(), connectionId, body.Name, body.EventTypes, Conditions(body.Filter),
                    body.Action, RouteInputs.SettingsOrEmpty(body.Settings ?? default), body.Enabled, idempotencyKey));
                return Results.Created($"/api/v1/connections/{connectionId}/routes/{created.Id}", created);
            })
            .WithName("createRoute").WithSummary("Create a route")
            .WithDescription("Events of the listed types (or [\"*\"]) that pass the filter (every condition must hold) are sent to the action, one call per " +
                             "event, from now on. The action checks its settings: for http.request a path below the connection's base URL or an absolute " +
                             "URL (under the webhooks' SSRF rules), the method, headers and a body template. Honours Idempotency-Key.")
            .Produces<RouteDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "unknown_event_type", "invalid_event_types", "invalid_filter",
                "invalid_route", "invalid_template")
            .WithRequestExample(new
            {
                name = "Paid invoices over 1,000 EUR to the ERP", event_types = new[] { "invoice.paid" }, action = "http.request",
                filter = new[] { new { path = "data.amount_cents", op = "gte", value = 100000 } },
                settings = new { method = "POST", path = "/v1/payments", body = new { invoice = "{{ data.invoice_id }}", amount = "{{ data.amount_cents }}" } },
            });

        routes.MapGet("/", async (Guid connectionId, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListRoutesQuery(request.ResolveTenant(), connectionId, list.Query)), request.Http))
            .WithListConventions<RouteDto>(ListRoutesQuery.Spec, "tenant_id")
            .WithName("listRoutes").WithSummary("List a connection's routes")
            .WithDescription("Newest first by default; status=enabled|disabled.")
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        routes.MapGet("/{id:guid}", async (Guid connectionId, Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetRouteQuery(request.ResolveTenant(), connectionId, id))))
            .WithName("getRoute").WithSummary("Retrieve a route")
            .Produces<RouteDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "route_not_found", "connection_not_found", "tenant_not_found");

        routes.MapPatch("/{id:guid}", async (Guid connectionId, Guid id, UpdateRouteRequest body, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new UpdateRouteCommand(request.ResolveTenant(), connectionId, id, body.Name, body.EventTypes,
                    body.Filter is null ? null : Conditions(body.Filter), body.Action, body.Settings, body.Enabled))))
            .WithName("updateRoute").WithSummary("Update, enable or disable a route")
            .WithDescription("A JSON merge patch of name, event_types, filter, action, settings and enabled. New settings (or a new action) are checked like at creation.")
            .Produces<RouteDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "route_not_found", "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "unknown_event_type", "invalid_event_types", "invalid_filter",
                "invalid_route", "invalid_template")
            .WithRequestExample(new { enabled = false });

        routes.MapDelete("/{id:guid}", async (Guid connectionId, Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new DeleteRouteCommand(request.ResolveTenant(), connectionId, id));
                return Results.NoContent();
            })
            .WithName("deleteRoute").WithSummary("Delete a route")
            .WithDescription("The route sends nothing more; its calls already made go on, and stay in the connection's calls.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "route_not_found", "connection_not_found", "tenant_not_found");

        var calls = app.MapGroup("/api/v1/connections/{connectionId:guid}/calls").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        calls.MapGet("/", async (Guid connectionId, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListConnectorCallsQuery(request.ResolveTenant(), connectionId, list.Query)), request.Http))
            .WithListConventions<ConnectorCallDto>(ListConnectorCallsQuery.Spec, "tenant_id")
            .WithName("listConnectorCalls").WithSummary("List a connection's calls")
            .WithDescription("Every call its routes made, newest first by default; status=failed is the dead-letter queue.")
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        calls.MapGet("/{id:guid}", async (Guid connectionId, Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetConnectorCallQuery(request.ResolveTenant(), connectionId, id))))
            .WithName("getConnectorCall").WithSummary("Retrieve a call with its attempts")
            .WithDescription("The call and every attempt: method and URL (without its query), status code, the first 1 KiB of the answer, duration, error kind " +
                             "(timeout, connection, http_status, rate_limited, auth, ssrf_blocked), and the rows without a request (the waits circuit_open and quota_wait; " +
                             "follow_up_refused: the action found in a succeeded answer that its work cannot go on, the reason in the excerpt).")
            .Produces<ConnectorCallDetailDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connector_call_not_found", "connection_not_found", "tenant_not_found");

        calls.MapPost("/{id:guid}/replay", async (Guid connectionId, Guid id, [AsParameters] TenantRequest request) =>
                Results.Accepted($"/api/v1/connections/{connectionId}/calls/{id}",
                    await request.Send(new ReplayConnectorCallCommand(request.ResolveTenant(), connectionId, id))))
            .WithName("replayConnectorCall").WithSummary("Replay a dead-lettered call")
            .WithDescription("Sends a failed call again now, with the same idempotency key and a fresh retry budget. A pending call is left as it is.")
            .Produces<ConnectorCallDetailDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "connector_call_not_found", "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "connector_call_succeeded");

        calls.MapPost("/replay", async (Guid connectionId, ReplayConnectorCallsRequest? body, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ReplayConnectorCallsCommand(request.ResolveTenant(), connectionId, body?.FailedSince))))
            .WithName("replayConnectorCalls").WithSummary("Replay a connection's dead letters")
            .WithDescription("Every dead-lettered call of the connection (failed at or after failed_since, when given) goes again now, each with its " +
                             "idempotency key and a fresh retry budget.")
            .Produces<ReplayedCallsDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .WithRequestExample(new { failed_since = "2026-12-01T00:00:00Z" });

        return app;
    }

    /// <summary>A filter as the use cases take it; a null condition (<c>[null]</c>) becomes one without a path, which they refuse.</summary>
    internal static IReadOnlyList<RouteConditionInput>? Conditions(IReadOnlyList<RouteConditionRequest?>? filter) =>
        filter?.Select(c => new RouteConditionInput(c?.Path, c?.Op, c?.Value)).ToList();
}
