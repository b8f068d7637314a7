using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Email;
using Integrations.Application.Email.Commands.CreateEmailAddress;
using Integrations.Application.Email.Commands.RevokeEmailAddress;
using Integrations.Application.Email.Queries.GetEmailAddress;
using Integrations.Application.Email.Queries.ListEmailAddresses;
using Integrations.Application.Email.Commands.SendEmailReply;
using Integrations.Application.Email.Queries.GetEmailAttachment;
using Integrations.Application.Email.Queries.GetEmailThread;
using Integrations.Application.Email.Queries.ListEmailThreads;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record CreateEmailAddressRequest(
    [property: Description("What a new thread mailed to the address becomes: the product command entity.create with this target.type, e.g. ticket, lead, task.")]
    string? EntityType,
    [property: Description("Whether a reply in a thread becomes comment.add on the thread's entity (default true).")] bool? RepliesAsComments = null);

public sealed record SendEmailReplyRequest(
    [property: Description("The reply's text (plain text).")] string? Text,
    [property: Description("The member's name, shown as the sender's display name; the address is the platform's sending address.")] string? FromName = null);

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

        MapThreads(app);
        return app;
    }

    private static void MapThreads(IEndpointRouteBuilder app)
    {
        var threads = app.MapGroup("/api/v1/email/threads").WithTags(Tag)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        threads.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListEmailThreadsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<EmailThreadDto>(ListEmailThreadsQuery.Spec, "tenant_id")
            .WithName("listEmailThreads").WithSummary("List e-mail threads")
            .WithDescription("The shared inbox: the tenant's threads, the most recent message first, with the entity each became and its plus address (reply_to).")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        threads.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetEmailThreadQuery(request.ResolveTenant(), id))))
            .WithName("getEmailThread").WithSummary("Retrieve an e-mail thread")
            .WithDescription("The thread with its messages, received and sent, oldest first: from, to, subject, text, html, and attachments (metadata; the content is a download).")
            .Produces<EmailThreadDetailDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "email_thread_not_found");

        threads.MapGet("/{id:guid}/messages/{messageId:guid}/attachments/{attachmentId:int}", async (Guid id, Guid messageId, int attachmentId, [AsParameters] TenantRequest request) =>
            {
                var attachment = await request.Send(new GetEmailAttachmentQuery(request.ResolveTenant(), id, messageId, attachmentId));
                // Whatever the sender claimed it is, it is served as bytes to save, never to render or run.
                request.Http.Response.Headers.XContentTypeOptions = "nosniff";
                request.Http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                request.Http.Response.Headers.CacheControl = "private, no-store";
                return Results.File(attachment.Content!, "application/octet-stream", attachment.FileName);
            })
            .WithName("getEmailAttachment").WithSummary("Download an attachment")
            .WithDescription("The attachment's bytes as a download (Content-Disposition: attachment, application/octet-stream, nosniff), under a harmless file name.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesError(StatusCodes.Status404NotFound, "email_attachment_not_found", "email_attachment_not_kept");

        threads.MapPost("/{id:guid}/replies", async (Guid id, SendEmailReplyRequest body, [AsParameters] TenantRequest request) =>
            {
                var sent = await request.Send(new SendEmailReplyCommand(request.ResolveTenant(), id, body.Text, body.FromName));
                return Results.Created($"/api/v1/email/threads/{id}", sent);
            })
            .WithName("sendEmailReply").WithSummary("Reply to a thread")
            .WithDescription("Sends a reply to the thread's last received message over SMTP: From the platform's sending address with from_name, Reply-To the thread's " +
                             "plus address, Message-ID, In-Reply-To and References set so the customer's answer threads back.")
            .Produces<EmailMessageDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "email_thread_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "email_not_configured", "email_thread_has_no_sender")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "required", "too_long")
            .ProducesError(StatusCodes.Status502BadGateway, "mail_server_error")
            .WithRequestExample(new { text = "Thanks, we are on it.", from_name = "Grace at Support" });
    }
}
