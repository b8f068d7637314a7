using System.ComponentModel;
using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.ProductBridge;
using Integrations.Application.ProductBridge.Commands.ConfigureProductCallback;
using Integrations.Application.ProductBridge.Commands.RemoveProductCallback;
using Integrations.Application.ProductBridge.Commands.RotateProductCallbackSecret;
using Integrations.Application.ProductBridge.Commands.SendProductCommand;
using Integrations.Application.ProductBridge.Queries.GetProductCallback;
using Integrations.Application.ProductBridge.Queries.GetProductCommand;
using Integrations.Application.ProductBridge.Queries.GetProductCommandResult;
using Integrations.Application.ProductBridge.Queries.ListProductCommands;
using Integrations.Application.ProductBridge.Queries.RevealProductCallbackSecret;
using Integrations.Domain.ProductBridge;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record SendProductCommandRequest(
    [property: Description("entity.create, entity.update, entity.delete, comment.add, or a name of your own as resource.verb.")] string? Command,
    [property: Description("The record: its type, and its id (not for entity.create).")] EntityTarget? Target,
    [property: Description("A JSON object; entity.create and entity.update need attributes, comment.add a body.")] JsonElement Data,
    [property: Description("Goes out as origin.external_reference, e.g. the test case that sent it.")] string? ExternalReference = null,
    [property: Description("Only with the admin key: the tenant the command is for.")] Guid? TenantId = null);

public sealed record ConfigureProductCallbackRequest(
    [property: Description("Where every command is also POSTed, signed; checked like a webhook endpoint's URL.")] string? Url);

/// <summary>Commands to the product, their log and the tenant's signed callback (docs/product-bridge.md, ADR 0015).</summary>
public static class ProductBridgeEndpoints
{
    private const string Tag = "Product bridge";

    public static IEndpointRouteBuilder MapProductBridgeEndpoints(this IEndpointRouteBuilder app)
    {
        var commands = app.MapGroup("/api/v1/product-commands").WithTags(Tag)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        commands.MapPost("/", async (SendProductCommandRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
            {
                var sent = await request.Send(new SendProductCommandCommand(request.ResolveTenant(body.TenantId), body.Command, body.Target, body.Data,
                    body.ExternalReference, idempotencyKey));
                return Results.Created($"/api/v1/product-commands/{sent.Id}", sent);
            })
            .WithName("sendProductCommand").WithSummary("Send a command to the product")
            .WithDescription("Publishes a command on integrations.product-commands.v1 (and to the tenant's callback) as a connector would, with origin.provider \"api\": " +
                             "for the product team to exercise its consumer. Validated like every command. Honours Idempotency-Key.")
            .Produces<ProductCommandDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "required", "invalid_command", "invalid_value", "not_allowed", "too_large", "invalid_character")
            .WithRequestExample(new { command = "entity.update", target = new { type = "task", id = "T-1042" }, data = new { attributes = new { status = "done" } } });

        commands.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListProductCommandsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<ProductCommandDto>(ListProductCommandsQuery.Spec, "tenant_id")
            .WithName("listProductCommands").WithSummary("List commands sent to the product")
            .WithDescription("The tenant's command log, newest first: every command connectors (or the API) sent, with its status and its callback's outcome.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        commands.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetProductCommandQuery(request.ResolveTenant(), id))))
            .WithName("getProductCommand").WithSummary("Retrieve a command sent to the product")
            .WithDescription("One command as it was published, with its status (published, delivered, callback_failed) and its callback's outcome.")
            .Produces<ProductCommandDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "product_command_not_found", "tenant_not_found");

        commands.MapGet("/{id:guid}/result", async (Guid id,
                [FromQuery(Name = "wait")][Description("Seconds to wait for the answer, 0 to 30 (default 0: look once).")] int? wait, [AsParameters] TenantRequest request) =>
            {
                var result = await request.Send(new GetProductCommandResultQuery(request.ResolveTenant(), id, wait));
                return result.Status == ProductCommandResultStatuses.Answered ? Results.Ok(result) : Results.Json(result, statusCode: StatusCodes.Status202Accepted);
            })
            .WithName("getProductCommandResult").WithSummary("Wait for the product's answer to a command")
            .WithDescription("The product answers a command with its normal events, naming it as data.command_id. 200 with the first such event (status answered); 202 when there is none yet after waiting up to wait seconds (status pending): ask again later.")
            .Produces<ProductCommandResultDto>(StatusCodes.Status200OK)
            .Produces<ProductCommandResultDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "product_command_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        var callback = app.MapGroup("/api/v1/product-bridge/callback").WithTags(Tag)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        callback.MapPut("/", async (ConfigureProductCallbackRequest body, [AsParameters] TenantRequest request) =>
            {
                var configured = await request.Send(new ConfigureProductCallbackCommand(request.ResolveTenant(), body.Url));
                request.Http.Response.Headers.CacheControl = "no-store";
                return configured.Created ? Results.Created("/api/v1/product-bridge/callback", configured) : Results.Ok(configured);
            })
            .WithName("configureProductCallback").WithSummary("Set the product callback")
            .WithDescription("The tenant's one callback URL: every command is also POSTed there, signed like a webhook (Standard Webhooks; webhook-id is the command id). " +
                             "201 with the signing secret when it is created; 200 without it when the URL changes (the secret stays).")
            .Produces<ConfiguredProductCallbackDto>(StatusCodes.Status201Created)
            .Produces<ConfiguredProductCallbackDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_url", "unsafe_url", "unresolvable_url")
            .WithRequestExample(new { url = "https://product.example.com/integrations/commands" });

        callback.MapGet("/", async ([AsParameters] TenantRequest request) => Results.Ok(await request.Send(new GetProductCallbackQuery(request.ResolveTenant()))))
            .WithName("getProductCallback").WithSummary("Retrieve the product callback")
            .WithDescription("The callback URL, never its secret.")
            .Produces<ProductCallbackDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "product_callback_not_found", "tenant_not_found");

        callback.MapDelete("/", async ([AsParameters] TenantRequest request) =>
            {
                await request.Send(new RemoveProductCallbackCommand(request.ResolveTenant()));
                return Results.NoContent();
            })
            .WithName("removeProductCallback").WithSummary("Remove the product callback")
            .WithDescription("Commands go to the topic only from now on; the secret is forgotten.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "product_callback_not_found", "tenant_not_found");

        // POST rather than GET: a secret never sits in a URL that proxies and caches may log or keep.
        callback.MapPost("/reveal-secret", async ([AsParameters] TenantRequest request) =>
                NoStore(request.Http, Results.Ok(await request.Send(new RevealProductCallbackSecretQuery(request.ResolveTenant())))))
            .WithName("revealProductCallbackSecret").WithSummary("Reveal the product callback's signing secret")
            .WithDescription("The current secret, for a receiver that lost it.")
            .Produces<ProductCallbackSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "product_callback_not_found", "tenant_not_found");

        callback.MapPost("/rotate-secret", async ([AsParameters] TenantRequest request) =>
                NoStore(request.Http, Results.Ok(await request.Send(new RotateProductCallbackSecretCommand(request.ResolveTenant())))))
            .WithName("rotateProductCallbackSecret").WithSummary("Rotate the product callback's signing secret")
            .WithDescription("A new secret signs from now on; the previous one keeps signing beside it until previous_secret_expires_at.")
            .Produces<ProductCallbackSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "product_callback_not_found", "tenant_not_found");

        return app;
    }

    /// <summary>Responses that carry a secret must not be kept by any cache.</summary>
    private static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
