using System.Reflection;

namespace Integrations.Infrastructure.Persistence.EventStore;

/// <summary>
/// The domain's event records and their stable stored names (mt_events.type): the record's type name,
/// as the log has always stored it, so renaming a record keeps its old name here instead.
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

    /// <summary>Every domain event with its stored name, for Marten's event type mapping.</summary>
    public IEnumerable<(string Name, Type Type)> All => _byName.Select(e => (e.Key, e.Value));

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name)
            ? name
            : throw new ArgumentException($"{type.FullName} is not a registered domain event; only records implementing a domain I…Event interface can be stored.", nameof(type));
}
