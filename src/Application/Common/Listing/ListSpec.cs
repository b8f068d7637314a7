namespace Integrations.Application.Common.Listing;

/// <summary>The value type of a field that lists filter or sort on; it decides how query values and cursor positions parse.</summary>
public enum ListFieldType { Text, Timestamp, Integer, Uuid, JsonObject }

public enum SortDirection { Asc, Desc }

public enum FilterOperator
{
    Equal,

    /// <summary>Strictly after the value (<c>created_after</c>).</summary>
    After,

    /// <summary>Strictly before the value (<c>created_before</c>).</summary>
    Before,

    /// <summary>Holds the value as a substring, ignoring case (a text search such as <c>q</c>).</summary>
    Contains,

    /// <summary>A JSON document that holds every member of the value, as PostgreSQL's <c>@&gt;</c> (<c>attributes={"tier":"gold"}</c>).</summary>
    Includes,
}

/// <summary>A field of the resource that can be sorted on; sortable fields are never null, so keyset comparisons stay total.</summary>
public sealed record SortableField(string Name, ListFieldType Type);

public sealed record SortKey(string Field, SortDirection Direction)
{
    public override string ToString() => $"{Field}:{(Direction == SortDirection.Asc ? "asc" : "desc")}";
}

/// <summary>
/// A query parameter that filters a list, e.g. <c>status=active</c> or <c>created_after=2026-01-01T00:00:00Z</c>.
/// <paramref name="AllowedValues"/> restricts an equality filter to known values; a value outside
/// them is a 422 with <paramref name="InvalidValueCode"/>.
/// </summary>
public sealed record FilterParameter(
    string Name,
    string Field,
    FilterOperator Operator,
    ListFieldType Type,
    string Description,
    IReadOnlyList<string>? AllowedValues = null,
    string InvalidValueCode = "invalid_value")
{
    public static FilterParameter CreatedAfter(string field) =>
        new("created_after", field, FilterOperator.After, ListFieldType.Timestamp, $"Only items whose {field} is strictly after this RFC 3339 instant.");

    public static FilterParameter CreatedBefore(string field) =>
        new("created_before", field, FilterOperator.Before, ListFieldType.Timestamp, $"Only items whose {field} is strictly before this RFC 3339 instant.");

    public static FilterParameter Search(string field, string description) =>
        new("q", field, FilterOperator.Contains, ListFieldType.Text, description);

    public static FilterParameter OneOf(string name, IReadOnlyList<string> values, string description, string invalidValueCode = "invalid_value") =>
        new(name, name, FilterOperator.Equal, ListFieldType.Text, description, values, invalidValueCode);
}

/// <summary>
/// What one list endpoint offers under the list conventions (docs/api/conventions.md): its filters,
/// the sort orders it serves from an index, and its default order. Every list endpoint declares one;
/// the API binds query strings against it, the read model maps its field names to columns.
/// </summary>
public sealed class ListSpec
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Names the list in cursors, so a cursor of one list is never taken for another's.</summary>
    public required string Resource { get; init; }

    public required IReadOnlyList<SortableField> SortableFields { get; init; }

    /// <summary>
    /// The field sequences <c>sort</c> may name, each backed by an index (directions are free: a
    /// B-tree serves both). Anything else would be a sequential scan at depth, so it is refused.
    /// </summary>
    public required IReadOnlyList<IReadOnlyList<string>> SortOrders { get; init; }

    public required IReadOnlyList<SortKey> DefaultSort { get; init; }

    public required IReadOnlyList<FilterParameter> Filters { get; init; }

    public SortableField? FindSortable(string name) => SortableFields.FirstOrDefault(f => f.Name == name);

    public FilterParameter? FindFilter(string name) => Filters.FirstOrDefault(f => f.Name == name);

    /// <summary>The parameter names this spec reads from a query string, besides the filters.</summary>
    public static readonly IReadOnlyList<string> ConventionParameters = ["limit", "cursor", "sort", "fields"];
}
