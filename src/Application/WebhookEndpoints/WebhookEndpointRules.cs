using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>Field rules shared by creating and patching an endpoint, so both refuse the same input the same way.</summary>
public static class WebhookEndpointRules
{
    public const int MaxDescriptionLength = 500;
    public const int MaxEventTypes = 50;

    /// <summary>The SSRF guard: syntax, literal addresses, internal names and DNS (see docs/webhooks.md).</summary>
    public static IRuleBuilderOptionsConditions<T, string?> SafeWebhookUrl<T>(this IRuleBuilder<T, string?> rule, IUrlSafetyChecker checker) =>
        rule.CustomAsync(async (url, context, ct) =>
        {
            if (await checker.CheckAsync(url ?? "", ct) is { } refusal)
                context.AddFailure(new FluentValidation.Results.ValidationFailure(context.PropertyPath, refusal.Message) { ErrorCode = refusal.Code });
        });

    public static IRuleBuilderOptions<T, IReadOnlyList<string>?> Subscriptions<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.NotEmpty().WithMessage("event_types must name at least one event type, or [\"*\"] for all.")
            .Must(types => types is null || types.Count <= MaxEventTypes).WithErrorCode("too_long")
            .WithMessage($"event_types may name at most {MaxEventTypes} types; use [\"*\"] for all.")
            .Must(types => types is null || types.All(t => t == WebhookEndpointDecider.Wildcard || EventTypeCatalog.IsKnown(t)))
            .WithErrorCode("unknown_event_type")
            .WithMessage((_, types) => $"Unknown event type(s): {string.Join(", ", types!.Where(t => t != WebhookEndpointDecider.Wildcard && !EventTypeCatalog.IsKnown(t)))}. " +
                                       "GET /api/v1/event-types lists them; [\"*\"] subscribes to all.")
            .Must(types => types is null || !types.Contains(WebhookEndpointDecider.Wildcard) || types.Count == 1)
            .WithErrorCode("wildcard_not_alone")
            .WithMessage("\"*\" subscribes to every event type and stands alone: send [\"*\"] or a list of types, not both.");

    public static IRuleBuilderOptions<T, int?> RateLimit<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, WebhookEndpointDecider.MaxRateLimitPerMinute).WithErrorCode("out_of_range");

    public static IRuleBuilderOptions<T, string?> Description<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(MaxDescriptionLength);
}
