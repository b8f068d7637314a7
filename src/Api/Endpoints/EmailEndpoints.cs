using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Email;
using Integrations.Application.Email.Commands.CreateEmailAddress;
using Integrations.Application.Email.Commands.RevokeEmailAddress;
using Integrations.Application.Email.Queries.GetEmailAddress;
using Integrations.Application.Email.Queries.ListEmailAddresses;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record CreateEmailAddressRequest(
    [property: Description("What a new thread mailed to the address becomes: the product command entity.create with this target.type, e.g. ticket, lead, task.")]
    string? EntityType,
    [property: Description("Whether a reply in a thread becomes comment.add on the thread's entity (default true).")] bool? RepliesAsComments = null);

/// <summary>The e-mail connector's inbound addresses (docs/connectors/email.md).</summary>
public static class EmailEndpoints
{
    private const string Tag = "E-mail";

    public static IEndpointRouteBuilder MapEmailEndpoints(this IEndpointRouteBuilder app)
    {
        var addresses = app.MapGroup("/api/v1/email/addresses").WithTags(Tag)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        addresses.MapPost("/", async (CreateEmailAddressRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] TenantRequest request) =>
            {
                var created = await request.Send(new CreateEmailAddressCommand(request.ResolveTenant(), body.EntityType, body.RepliesAsComments, idempotencyKey));
                return Results.Created($"/api/v1/email/addresses/{created.Id}", created);
            })
            .WithName("createEmailAddress").WithSummary("Create an inbound e-mail address")
            .WithDescription("A random, unguessable address at the platform's inbound domain. Mail forwarded to it becomes product commands: a new thread " +
                             "entity.create of entity_type, a reply comment.add on that entity (replies_as_comments). Honours Idempotency-Key.")
            .Produces<EmailAddressDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "email_not_configured", "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "required", "invalid_value")
            .WithRequestExample(new { entity_type = "ticket", replies_as_comments = true });

        addresses.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListEmailAddressesQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<EmailAddressDto>(ListEmailAddressesQuery.Spec, "tenant_id")
            .WithName("listEmailAddresses").WithSummary("List inbound e-mail addresses")
            .WithDescription("The tenant's addresses, newest first, revoked ones with revoked_at.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        addresses.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetEmailAddressQuery(request.ResolveTenant(), id))))
            .WithName("getEmailAddress").WithSummary("Retrieve an inbound e-mail address")
            .Produces<EmailAddressDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "email_address_not_found");

        addresses.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new RevokeEmailAddressCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .WithName("revokeEmailAddress").WithSummary("Revoke an inbound e-mail address")
            .WithDescription("Mail to it is refused from now on (SMTP 550); its token is never given out again; its threads stay.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "email_address_not_found");
        return app;
    }
}
