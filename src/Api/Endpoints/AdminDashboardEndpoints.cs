using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.ConsumerLag.Queries.GetConsumerLag;
using Integrations.Application.DeadLetters;
using Integrations.Application.DeliveryStats.Queries.GetDeliveryStats;
using Microsoft.AspNetCore.Mvc;
using Integrations.Application.DeadLetters.Commands.ReplayTenantDeadLetters;
using Integrations.Application.DeadLetters.Queries.ListDeadLetterTenants;

namespace Integrations.Api.Endpoints;

public sealed record ReplayTenantDeadLettersRequest(
    [property: Description("Requeue only deliveries dead-lettered at or after this RFC 3339 instant; absent: all of them.")] DateTimeOffset? Since = null);

public sealed record DeadLetterTenantsDto([property: Description("Tenants with dead letters, most first (at most 100).")] IReadOnlyList<TenantDeadLettersDto> Data);

/// <summary>
/// What the operator dashboard reads beyond integration health (docs/console.md#operator-dashboard):
/// delivery success and latency over time, consumer lag per group, and the dead-letter queue across tenants: the tenants
/// with dead-lettered webhook deliveries, worst first, and replaying all of one tenant's. The
/// deliveries themselves and replaying one are the delivery log's (GET /api/v1/webhook-deliveries?status=failed, POST …/{id}/retry).
/// </summary>
public static class AdminDashboardEndpoints
{
    public static IEndpointRouteBuilder MapAdminDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin");
        admin.MapGet("/dead-letters", async ([AsParameters] ApiRequest request) =>
                Results.Ok(new DeadLetterTenantsDto(await request.Send(new ListDeadLetterTenantsQuery()))))
            .WithName("listDeadLetterTenants").WithSummary("Tenants with dead-lettered webhook deliveries")
            .WithDescription("Across tenants, most dead letters first: how many deliveries are dead-lettered now, on how many endpoints, the oldest and newest. " +
                "The deliveries: GET /api/v1/webhook-deliveries?status=failed&tenant_id=…; one again: POST /api/v1/webhook-deliveries/{id}/retry.")
            .Produces<DeadLetterTenantsDto>(StatusCodes.Status200OK);
        admin.MapPost("/tenants/{id:guid}/dead-letters/replay", async (Guid id, ReplayTenantDeadLettersRequest? body, [AsParameters] ApiRequest request) =>
                Results.Accepted($"/api/v1/webhook-deliveries?tenant_id={id}", await request.Send(new ReplayTenantDeadLettersCommand(id, body?.Since))))
            .WithName("replayTenantDeadLetters").WithSummary("Replay a tenant's dead letters")
            .WithDescription("Requeues every dead-lettered webhook delivery of the tenant (since the given instant, if any), endpoint by endpoint in pages of " +
                "bounded size, each with the full retry schedule and its webhook_id. Dead letters of deleted endpoints stay (skipped_endpoints). If interrupted, call it again.")
            .Produces<ReplayedDeadLettersDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { since = "2026-12-07T00:00:00Z" });
        admin.MapGet("/delivery-stats", async ([FromQuery] string? window, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetDeliveryStatsQuery(request.TenantId, window ?? "24h"))))
            .WithName("getDeliveryStats").WithSummary("Webhook delivery success and latency over time")
            .WithDescription("Every tenant's webhook delivery attempts (or one tenant's with tenant_id) summed per bucket: window=1h gives 12 five-minute buckets, " +
                "window=24h (the default) 24 hourly ones, oldest first, the current one last, empty ones with zero attempts. Per bucket: attempts, successes, " +
                "failures, dead letters, the success rate and the average and slowest response time (null without attempts).")
            .Produces<DeliveryStatsDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
        admin.MapGet("/consumer-lag", async ([AsParameters] ApiRequest request) => Results.Ok(await request.Send(new GetConsumerLagQuery())))
            .WithName("getConsumerLag").WithSummary("Consumer lag per Kafka consumer group")
            .WithDescription("For each of the platform's consumer groups (docs/kafka-topics.md#consumer-groups), per partition of its topic: the committed offset, " +
                "the high watermark and the messages between them; most behind first. Read without joining the groups. A group the broker did not answer for " +
                "has lag null and an error.")
            .Produces<ConsumerLagDto>(StatusCodes.Status200OK);
        return app;
    }
}
