using Integrations.Domain.Common;

namespace Integrations.Domain.EventTypes;

/// <summary>
/// The event types something subscribes to (a webhook endpoint, a connector route): known names,
/// or <c>["*"]</c> for every type, now and later.
/// </summary>
public static class EventTypeSubscription
{
    public const string Wildcard = "*";

    /// <summary>Distinct, sorted, known types; "*" subscribes to everything and stands alone.</summary>
    /// <exception cref="DomainException">invalid_event_types (none), unknown_event_type.</exception>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string> eventTypes)
    {
        if (eventTypes.Count == 0) throw new DomainException("invalid_event_types", "Subscribe to at least one event type, or [\"*\"] for all.");
        if (eventTypes.Contains(Wildcard)) return [Wildcard];
        var unknown = eventTypes.Where(t => !EventTypeCatalog.IsKnown(t)).ToList();
        if (unknown.Count > 0) throw new DomainException("unknown_event_type", $"Unknown event type(s): {string.Join(", ", unknown)}.");
        return eventTypes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public static bool Includes(IReadOnlyList<string> subscription, string eventType) =>
        subscription.Contains(Wildcard) || subscription.Contains(eventType);
}
