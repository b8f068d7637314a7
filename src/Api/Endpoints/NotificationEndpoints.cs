using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Notifications;
using Integrations.Application.Notifications.Commands.MarkNotificationRead;
using Integrations.Application.Notifications.Queries.GetNotification;
using Integrations.Application.Notifications.Queries.ListNotifications;

namespace Integrations.Api.Endpoints;

public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/v1/notifications").WithTags("Notifications")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");
        var openedAt = new DateTimeOffset(2026, 12, 6, 21, 23, 29, TimeSpan.Zero);
        var example = new NotificationDto(Guid.Parse("0193a5f2-0000-8000-8000-0000000000b1"), "webhook_endpoint.disabled", "opened",
            Guid.Parse("0193a5f2-0000-7000-8000-0000000000a1"), Guid.Parse("0193a5f2-0000-7000-8000-0000000000e1"),
            "Webhook endpoint hooks.example.com (Billing sync) was disabled", "3 consecutive delivery attempts failed; the last one: HTTP 500.",
            openedAt, openedAt, 1, null, false, null, new NotificationEmailsDto(2, 0, 0));

        notifications.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListNotificationsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<NotificationDto>(ListNotificationsQuery.Spec, "tenant_id")
            .WithName("listNotifications").WithSummary("List notifications")
            .WithDescription("The organisation's notices of persistent failures, newest first: one (notice opened) when a failure starts to persist " +
                "(a webhook endpoint disabled, a connection that needs re-authorisation or is disconnected, calls paused, dead letters piling up), " +
                "one (notice resolved) when it clears, never one per failure. unread=true lists what nobody has read yet. The same notices are mailed " +
                "to the organisation's admins; emails counts those mails by outcome. OAuth scope: notifications:read.")
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        notifications.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetNotificationQuery(request.ResolveTenant(), id))))
            .WithName("getNotification").WithSummary("Retrieve a notification")
            .WithDescription("One notice, as the list shows it; the link in its mail points here. OAuth scope: notifications:read.")
            .Produces<NotificationDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "notification_not_found", "tenant_not_found")
            .WithResponseExample(StatusCodes.Status200OK, example);

        notifications.MapPost("/{id:guid}/read", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new MarkNotificationReadCommand(request.ResolveTenant(), id))))
            .WithName("markNotificationRead").WithSummary("Mark a notification read")
            .WithDescription("Marks the notice read for the whole organisation (read_at, and who read it, are kept). Idempotent: marking a read " +
                "notice again answers it unchanged. No body. OAuth scope: notifications:read.")
            .Produces<NotificationDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "notification_not_found", "tenant_not_found")
            .WithResponseExample(StatusCodes.Status200OK, example with { Read = true, ReadAt = openedAt.AddMinutes(12) });
        return app;
    }
}
