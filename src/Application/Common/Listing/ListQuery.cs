namespace Integrations.Application.Common.Listing;

/// <summary>One filter condition, its value already parsed to the field's type (string, DateTimeOffset or long).</summary>
public sealed record ListFilter(string Field, FilterOperator Operator, object Value);

/// <summary>
/// A validated list request: page size, order (the id tie-breaker is implicit), filters and the
/// position to continue from. <see cref="Binding"/> fingerprints the order and filters; cursors
/// carry it so that a cursor is only ever used with the query that issued it.
/// </summary>
public sealed record ListQuery(int Limit, IReadOnlyList<SortKey> Sort, IReadOnlyList<ListFilter> Filters, ListCursor? Cursor, string Binding)
{
    /// <summary>The spec's defaults: first page, default order, no filter.</summary>
    public static ListQuery Default(ListSpec spec, int limit = ListSpec.DefaultLimit) => ListQueryParser.Parse(spec, new ListParameters(limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>The raw list parameters of a request, as strings; <see cref="ListQueryParser"/> validates them.</summary>
public sealed record ListParameters(string? Limit = null, string? Cursor = null, string? Sort = null, IReadOnlyDictionary<string, string>? Filters = null);
