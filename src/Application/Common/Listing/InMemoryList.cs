using Integrations.Application.Common.Models;

namespace Integrations.Application.Common.Listing;

/// <summary>
/// The list conventions over a small fixed collection held in memory (the event-type catalog): the
/// same filters, orders, keyset cursors and page shape as the database lists (KeysetQuery), so a
/// client pages through it like any other list.
/// </summary>
public static class InMemoryList
{
    /// <param name="field">An item's value of a sortable or filtered field: a string, long or DateTimeOffset.</param>
    /// <param name="id">The item's stable id, the tie-breaker of every order.</param>
    public static CursorPage<T> Page<T>(IEnumerable<T> items, ListQuery query, Func<T, string, object> field, Func<T, Guid> id)
    {
        var backwards = query.Cursor?.Direction == PageDirection.Before;
        var keyed = items.Where(item => query.Filters.All(f => Matches(field(item, f.Field), f)))
            .Select(item => (Item: item, Keys: query.Sort.Select(k => field(item, k.Field)).ToArray(), Id: id(item)))
            .ToList();
        keyed.Sort((a, b) => Compare(a.Keys, a.Id, b.Keys, b.Id, query.Sort, backwards));
        if (query.Cursor is { } cursor)
        {
            var keys = cursor.Values.ToArray();
            keyed = keyed.Where(r => Compare(r.Keys, r.Id, keys, cursor.Id, query.Sort, backwards) > 0).ToList();
        }
        var hasExtra = keyed.Count > query.Limit;
        var page = keyed.Take(query.Limit).ToList();
        if (backwards) page.Reverse();
        // A cursor names an item that existed, so whatever lies on its far side is known to exist.
        var (laterExist, earlierExist) = query.Cursor?.Direction switch
        {
            null => (hasExtra, false),
            PageDirection.After => (hasExtra, page.Count > 0),
            _ => (page.Count > 0, hasExtra),
        };
        var next = laterExist && page.Count > 0 ? new ListCursor(PageDirection.After, page[^1].Keys, page[^1].Id, query.Binding).Encode() : null;
        var previous = earlierExist && page.Count > 0 ? new ListCursor(PageDirection.Before, page[0].Keys, page[0].Id, query.Binding).Encode() : null;
        return new CursorPage<T>(page.Select(r => r.Item).ToList(), next, previous, backwards ? earlierExist : laterExist);
    }

    private static bool Matches(object value, ListFilter filter) => filter.Operator switch
    {
        FilterOperator.Equal => CompareValues(value, filter.Value) == 0,
        FilterOperator.After => CompareValues(value, filter.Value) > 0,
        FilterOperator.Before => CompareValues(value, filter.Value) < 0,
        FilterOperator.Contains => value is string text && text.Contains((string)filter.Value, StringComparison.OrdinalIgnoreCase),
        _ => throw new NotSupportedException($"{filter.Operator} is not served by in-memory lists."),
    };

    /// <summary>The order of the list (reversed when reading backwards from a cursor), the id breaking ties.</summary>
    private static int Compare(object[] a, Guid aId, IReadOnlyList<object> b, Guid bId, IReadOnlyList<SortKey> sort, bool backwards)
    {
        for (var i = 0; i < sort.Count; i++)
        {
            var order = CompareValues(a[i], b[i]);
            if (order != 0) return (sort[i].Direction == SortDirection.Desc) != backwards ? -order : order;
        }
        var byId = aId.CompareTo(bId);
        var lastDescending = sort.Count > 0 && sort[^1].Direction == SortDirection.Desc;
        return lastDescending != backwards ? -byId : byId;
    }

    private static int CompareValues(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long x, long y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        _ => throw new ArgumentException($"Cannot compare {a.GetType().Name} with {b.GetType().Name}."),
    };
}
