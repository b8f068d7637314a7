using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.EventTypes;

namespace Integrations.Domain.Webhooks;

// A customer's URL that receives the tenant's events. Secrets are recorded only in protected
// (encrypted) form: the domain never sees a plaintext secret.

public interface IWebhookEndpointEvent;

public enum EndpointStatus { None, Enabled, Disabled, Deleted }

/// <summary>Why an endpoint stopped receiving deliveries; shown to the tenant on the endpoint.</summary>
public static class DisabledReasons
{
    public const string Manual = "manual";
    public const string ConsecutiveFailures = "consecutive_failures";
    public const string Gone = "gone";
}

/// <summary>
/// What an endpoint is for: one the tenant registered (<see cref="Endpoint"/>), or a REST hook an
/// automation tool subscribed (<see cref="Hook"/>): same delivery, but a filter on the event, and a
/// 410 Gone from its target deletes it rather than disabling it (ADR 0022).
/// </summary>
public static class EndpointKinds
{
    public const string Endpoint = "endpoint";
    public const string Hook = "hook";
}

/// <param name="Kind">One of <see cref="EndpointKinds"/>; null in events recorded before hooks existed: an endpoint.</param>
/// <param name="Filter">A hook's conditions on the event (the routes' filter language); null or empty: every event of its types.</param>
public sealed record WebhookEndpointCreated(
    Guid EndpointId, Guid TenantId, string Url, IReadOnlyList<string> EventTypes, string? Description,
    int RateLimitPerMinute, Guid SecretId, string ProtectedSecret, DateTimeOffset CreatedAt,
    string? Kind = null, IReadOnlyList<RouteCondition>? Filter = null) : IWebhookEndpointEvent;

public sealed record WebhookEndpointUpdated(
    Guid EndpointId, Guid TenantId, string Url, IReadOnlyList<string> EventTypes, string? Description,
    int RateLimitPerMinute, DateTimeOffset UpdatedAt) : IWebhookEndpointEvent;

public sealed record WebhookEndpointEnabled(Guid EndpointId, Guid TenantId, DateTimeOffset EnabledAt) : IWebhookEndpointEvent;

public sealed record WebhookEndpointDisabled(Guid EndpointId, Guid TenantId, string Reason, string Message, DateTimeOffset DisabledAt) : IWebhookEndpointEvent;

/// <summary>The previous secret keeps signing beside the new one until <see cref="PreviousSecretExpiresAt"/>.</summary>
public sealed record WebhookEndpointSecretRotated(
    Guid EndpointId, Guid TenantId, Guid SecretId, string ProtectedSecret, Guid PreviousSecretId,
    DateTimeOffset PreviousSecretExpiresAt, DateTimeOffset RotatedAt) : IWebhookEndpointEvent;

public sealed record WebhookEndpointDeleted(Guid EndpointId, Guid TenantId, DateTimeOffset DeletedAt) : IWebhookEndpointEvent;

public abstract record WebhookEndpointCommand;

public sealed record CreateWebhookEndpoint(
    Guid EndpointId, Guid TenantId, string Url, IReadOnlyList<string> EventTypes, string? Description,
    int RateLimitPerMinute, Guid SecretId, string ProtectedSecret, DateTimeOffset Now,
    string Kind = EndpointKinds.Endpoint, IReadOnlyList<RouteCondition>? Filter = null) : WebhookEndpointCommand;

/// <summary>A merge patch: null leaves a field as it is; an empty description removes it.</summary>
public sealed record UpdateWebhookEndpoint(string? Url, IReadOnlyList<string>? EventTypes, string? Description, int? RateLimitPerMinute, DateTimeOffset Now) : WebhookEndpointCommand;

public sealed record EnableWebhookEndpoint(DateTimeOffset Now) : WebhookEndpointCommand;

public sealed record DisableWebhookEndpoint(string Reason, string Message, DateTimeOffset Now) : WebhookEndpointCommand;

public sealed record RotateWebhookSecret(Guid SecretId, string ProtectedSecret, TimeSpan Overlap, DateTimeOffset Now) : WebhookEndpointCommand;

public sealed record DeleteWebhookEndpoint(DateTimeOffset Now) : WebhookEndpointCommand;

public sealed record EndpointSecret(Guid SecretId, string ProtectedSecret, DateTimeOffset? ExpiresAt);

public sealed record WebhookEndpointState(
    Guid EndpointId,
    Guid TenantId,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    int RateLimitPerMinute,
    EndpointStatus Status,
    string? DisabledReason,
    IReadOnlyList<EndpointSecret> Secrets)
{
    public static readonly WebhookEndpointState None = new(Guid.Empty, Guid.Empty, "", [], null, 0, EndpointStatus.None, null, []);

    /// <summary>One of <see cref="EndpointKinds"/>.</summary>
    public string Kind { get; init; } = EndpointKinds.Endpoint;

    /// <summary>A hook's conditions on the event; empty: every event of its types.</summary>
    public IReadOnlyList<RouteCondition> Filter { get; init; } = [];

    public bool IsHook => Kind == EndpointKinds.Hook;

    /// <summary>The secrets that sign a delivery made at <paramref name="at"/>: the current one and any still inside its overlap.</summary>
    public IEnumerable<EndpointSecret> SigningSecrets(DateTimeOffset at) => Secrets.Where(s => s.ExpiresAt is null || s.ExpiresAt > at);

    public bool Subscribes(string eventType) => EventTypeSubscription.Includes(EventTypes, eventType);
}

public static class WebhookEndpointDecider
{
    public const int DefaultRateLimitPerMinute = 100;
    public const int MaxRateLimitPerMinute = 60_000;
    public const string Wildcard = EventTypeSubscription.Wildcard;

    public static readonly Decider<WebhookEndpointCommand, WebhookEndpointState, IWebhookEndpointEvent> Decider =
        new(Decide, Evolve, WebhookEndpointState.None);

    public static string StreamId(Guid endpointId) => $"webhook_endpoint-{endpointId:N}";

    public static IReadOnlyList<IWebhookEndpointEvent> Decide(WebhookEndpointCommand command, WebhookEndpointState state) => command switch
    {
        CreateWebhookEndpoint when state.Status != EndpointStatus.None =>
            throw new DomainException("webhook_endpoint_exists", "The webhook endpoint already exists."),
        CreateWebhookEndpoint c => [new WebhookEndpointCreated(c.EndpointId, c.TenantId, c.Url, Subscriptions(c.EventTypes),
            Description(c.Description), RateLimit(c.RateLimitPerMinute), c.SecretId, c.ProtectedSecret, c.Now, Kind(c.Kind), Filter(c))],
        _ when state.Status is EndpointStatus.None or EndpointStatus.Deleted =>
            throw new DomainException("webhook_endpoint_not_found", "The webhook endpoint does not exist."),
        UpdateWebhookEndpoint c => Update(c, state),
        EnableWebhookEndpoint when state.Status == EndpointStatus.Enabled => [],
        EnableWebhookEndpoint c => [new WebhookEndpointEnabled(state.EndpointId, state.TenantId, c.Now)],
        DisableWebhookEndpoint when state.Status == EndpointStatus.Disabled => [],
        DisableWebhookEndpoint c => [new WebhookEndpointDisabled(state.EndpointId, state.TenantId, c.Reason, c.Message, c.Now)],
        RotateWebhookSecret c => [new WebhookEndpointSecretRotated(state.EndpointId, state.TenantId, c.SecretId, c.ProtectedSecret,
            Current(state).SecretId, c.Now + c.Overlap, c.Now)],
        DeleteWebhookEndpoint c => [new WebhookEndpointDeleted(state.EndpointId, state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown webhook endpoint command."),
    };

    public static WebhookEndpointState Evolve(WebhookEndpointState state, IWebhookEndpointEvent @event) => @event switch
    {
        WebhookEndpointCreated e => new WebhookEndpointState(e.EndpointId, e.TenantId, e.Url, e.EventTypes, e.Description,
            e.RateLimitPerMinute, EndpointStatus.Enabled, null, [new EndpointSecret(e.SecretId, e.ProtectedSecret, null)])
        {
            Kind = e.Kind ?? EndpointKinds.Endpoint, Filter = e.Filter ?? [],
        },
        WebhookEndpointUpdated e => state with
        {
            Url = e.Url, EventTypes = e.EventTypes, Description = e.Description, RateLimitPerMinute = e.RateLimitPerMinute,
        },
        WebhookEndpointEnabled => state with { Status = EndpointStatus.Enabled, DisabledReason = null },
        WebhookEndpointDisabled e => state with { Status = EndpointStatus.Disabled, DisabledReason = e.Reason },
        WebhookEndpointSecretRotated e => state with
        {
            // Secrets that had already expired are dropped: only the overlap window is kept.
            Secrets =
            [
                new EndpointSecret(e.SecretId, e.ProtectedSecret, null),
                .. state.Secrets.Where(s => s.SecretId == e.PreviousSecretId).Select(s => s with { ExpiresAt = e.PreviousSecretExpiresAt }),
                .. state.Secrets.Where(s => s.SecretId != e.PreviousSecretId && s.ExpiresAt > e.RotatedAt),
            ],
        },
        WebhookEndpointDeleted => state with { Status = EndpointStatus.Deleted },
        _ => state,
    };

    public static EndpointSecret Current(WebhookEndpointState state) => state.Secrets.First(s => s.ExpiresAt is null);

    private static IReadOnlyList<IWebhookEndpointEvent> Update(UpdateWebhookEndpoint c, WebhookEndpointState state)
    {
        var url = c.Url ?? state.Url;
        var types = c.EventTypes is null ? state.EventTypes : Subscriptions(c.EventTypes);
        var description = c.Description is null ? state.Description : Description(c.Description);
        var rate = c.RateLimitPerMinute is null ? state.RateLimitPerMinute : RateLimit(c.RateLimitPerMinute);
        var unchanged = url == state.Url && types.SequenceEqual(state.EventTypes) && description == state.Description && rate == state.RateLimitPerMinute;
        return unchanged ? [] : [new WebhookEndpointUpdated(state.EndpointId, state.TenantId, url, types, description, rate, c.Now)];
    }

    private static string Kind(string kind) => kind is EndpointKinds.Endpoint or EndpointKinds.Hook
        ? kind
        : throw new DomainException("invalid_kind", $"kind must be {EndpointKinds.Endpoint} or {EndpointKinds.Hook}.");

    /// <summary>Only hooks filter: an endpoint takes every event of its types. The conditions are checked (invalid_filter) and kept as given.</summary>
    private static IReadOnlyList<RouteCondition>? Filter(CreateWebhookEndpoint c)
    {
        if (c.Filter is not { Count: > 0 }) return null;
        if (c.Kind != EndpointKinds.Hook) throw new DomainException("invalid_filter", "Only hooks take a filter; an endpoint receives every event of its types.");
        return RouteFilter.Parse(c.Filter).Conditions;
    }

    /// <summary>An empty description is no description, so a merge patch can remove it.</summary>
    private static string? Description(string? description) => string.IsNullOrEmpty(description) ? null : description;

    private static IReadOnlyList<string> Subscriptions(IReadOnlyList<string> eventTypes) => EventTypeSubscription.Normalize(eventTypes);

    private static int RateLimit(int? perMinute) => perMinute switch
    {
        null => DefaultRateLimitPerMinute,
        < 1 or > MaxRateLimitPerMinute => throw new DomainException("invalid_rate_limit", $"rate_limit_per_minute must be between 1 and {MaxRateLimitPerMinute}."),
        _ => perMinute.Value,
    };
}
