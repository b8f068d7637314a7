namespace Integrations.Domain.EventTypes;

public sealed record EventTypeDefinition(string Name, string Description);

/// <summary>
/// The event types the platform accepts, named {resource}.{action} like Stripe's.
/// </summary>
public static class EventTypeCatalog
{
    public static readonly IReadOnlyList<EventTypeDefinition> All =
    [
        new("entity.created", "A record was created."),
        new("entity.updated", "A record was modified; the payload lists the changed fields."),
        new("entity.deleted", "A record was removed."),
        new("user.invited", "A user was invited to the organisation."),
        new("user.joined", "An invited user accepted the invitation."),
        new("user.removed", "A user was removed from the organisation."),
        new("subscription.created", "A new subscription started."),
        new("subscription.updated", "A subscription changed plan or quantity."),
        new("subscription.cancelled", "A subscription was cancelled."),
        new("invoice.paid", "A payment succeeded."),
        new("invoice.failed", "A payment failed."),
    ];

    private static readonly HashSet<string> Names = All.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string? eventType) => eventType is not null && Names.Contains(eventType);
}
