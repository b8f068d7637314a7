using System.Reflection;
using System.Text.Json;
using Integrations.Application.Common;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>The log holds an event type this build does not know (a newer build wrote it, or it was renamed).</summary>
public sealed class UnknownEventTypeException(string eventType, IEnumerable<string> known)
    : Exception($"The event log holds an event of type '{eventType}', which this build does not know. Known types: {string.Join(", ", known)}.")
{
    public string EventType { get; } = eventType;
}

/// <summary>
/// Maps domain event records to the stable names stored in es_events.event_type, and (de)serializes
/// them as snake_case JSON. The name is the record's type name, so renaming an event record is a
/// breaking change to the stored log.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Type> _byName;
    private readonly Dictionary<Type, string> _byType;

    /// <summary>Registers every public sealed type (the domain's event records) implementing a domain event interface (I…Event) of <paramref name="domain"/>.</summary>
    public EventTypeRegistry(Assembly domain)
    {
        var exported = domain.GetExportedTypes();
        var eventInterfaces = exported
            .Where(t => t.IsInterface && t.Name.EndsWith("Event", StringComparison.Ordinal) && t.Namespace?.StartsWith("Integrations.Domain.", StringComparison.Ordinal) == true)
            .ToHashSet();
        var eventTypes = exported
            .Where(t => t is { IsClass: true, IsSealed: true, IsAbstract: false } && t.GetInterfaces().Any(eventInterfaces.Contains))
            .ToList();

        var duplicate = eventTypes.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two domain events share the stored name '{duplicate.Key}': {string.Join(", ", duplicate.Select(t => t.FullName))}.");

        _byName = eventTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _byType = eventTypes.ToDictionary(t => t, t => t.Name);
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name)
            ? name
            : throw new ArgumentException($"{type.FullName} is not a registered domain event; only records implementing a domain I…Event interface can be stored.", nameof(type));

    public Type TypeOf(string name) =>
        _byName.TryGetValue(name, out var type) ? type : throw new UnknownEventTypeException(name, _byName.Keys.Order(StringComparer.Ordinal));

    public string Serialize(object @event) => JsonSerializer.Serialize(@event, @event.GetType(), JsonDefaults.Options);

    public object Deserialize(string name, string json) =>
        JsonSerializer.Deserialize(json, TypeOf(name), JsonDefaults.Options)
        ?? throw new JsonException($"Stored event of type '{name}' has an empty body.");
}
