using System.ComponentModel;
using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Hooks;

/// <summary>A REST hook as its subscriber sees it: a webhook endpoint of kind hook, never with its secret.</summary>
public sealed record HookDto(
    Guid Id,
    string TargetUrl,
    IReadOnlyList<string> EventTypes,
    [property: Description("Conditions the event must meet, all of them (the routes' filter language: path, op, value); empty: every event of its types.")]
    IReadOnlyList<RouteConditionDto> Filter,
    [property: Description("enabled, or disabled after consecutive failed deliveries (a hook whose target answers 410 Gone is deleted instead).")]
    string Status,
    string? DisabledReason,
    DateTimeOffset CreatedAt);

/// <summary>The subscribe response: the only one that carries the hook's signing secret (Standard Webhooks, whsec_…).</summary>
public sealed record CreatedHookDto(
    Guid Id,
    string TargetUrl,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteConditionDto> Filter,
    string Status,
    [property: Description("The signing secret of the hook's deliveries; shown here only (GET /api/v1/webhook-endpoints/{id} and its reveal-secret serve the hook too).")]
    string Secret,
    [property: Description("True when the target confirmed the subscription with the X-Hook-Secret handshake (verify: true).")]
    bool Verified,
    DateTimeOffset CreatedAt);

/// <summary>Hooks from the webhook_endpoints read model (kind hook only); another tenant's is not found.</summary>
public interface IHookReadModel
{
    Task<HookDto?> FindAsync(Guid tenantId, Guid hookId, CancellationToken ct);

    Task<CursorPage<HookDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}

public static class HookErrors
{
    public static NotFoundException NotFound() => new("hook_not_found", "No such hook.");

    /// <summary>Stored conditions as the API shows them: each value as the JSON it was given.</summary>
    public static IReadOnlyList<RouteConditionDto> Conditions(IReadOnlyList<RouteCondition>? conditions) =>
        (conditions ?? []).Select(c => new RouteConditionDto(c.Path, c.Op, JsonDocument.Parse(c.Value ?? "null").RootElement.Clone())).ToList();
}
