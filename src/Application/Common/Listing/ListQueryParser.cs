using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;

namespace Integrations.Application.Common.Listing;

/// <summary>
/// Validates raw list parameters against a <see cref="ListSpec"/>. What does not parse or is not
/// offered (an unknown filter or sort field, <c>limit=ten</c>, a malformed timestamp) is a 400
/// <c>invalid_parameter</c>; what parses but is not acceptable (limit 0, an unknown status) is a 422.
/// </summary>
public static partial class ListQueryParser
{
    public const int MaxSearchLength = 100;
    public const int MaxJsonFilterLength = 1000;

    public static ListQuery Parse(ListSpec spec, ListParameters raw)
    {
        var invalid = new List<ValidationError>();
        var unacceptable = new List<ValidationError>();

        var limit = ListSpec.DefaultLimit;
        if (raw.Limit is not null)
        {
            if (!int.TryParse(raw.Limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
                invalid.Add(new ValidationError("limit", "invalid_type", $"limit must be an integer from 1 to {ListSpec.MaxLimit}."));
            else if (limit is < 1 or > ListSpec.MaxLimit)
                unacceptable.Add(new ValidationError("limit", "out_of_range", $"limit must be from 1 to {ListSpec.MaxLimit}."));
        }

        var sort = raw.Sort is null ? spec.DefaultSort : ParseSort(spec, raw.Sort, invalid);
        var filters = new List<ListFilter>();
        foreach (var (name, value) in raw.Filters ?? new Dictionary<string, string>())
        {
            if (spec.FindFilter(name) is not { } filter)
            {
                var known = spec.Filters.Select(f => f.Name).Concat(ListSpec.ConventionParameters);
                invalid.Add(new ValidationError(name, "unknown_parameter", $"This list has no parameter '{name}'. It accepts: {string.Join(", ", known)}."));
                continue;
            }
            if (ParseFilterValue(filter, value, invalid, unacceptable) is { } parsed) filters.Add(new ListFilter(filter.Field, filter.Operator, parsed));
        }

        if (invalid.Count > 0) throw new InvalidParameterException(invalid);
        if (unacceptable.Count > 0) throw new Exceptions.ValidationException(unacceptable);

        var binding = Binding(spec, sort, filters);
        var cursor = string.IsNullOrEmpty(raw.Cursor) ? null : ListCursor.Decode(raw.Cursor, spec, sort, binding);
        return new ListQuery(limit, sort, filters, cursor, binding);
    }

    private static List<SortKey> ParseSort(ListSpec spec, string raw, List<ValidationError> invalid)
    {
        var keys = new List<SortKey>();
        foreach (var part in raw.Split(','))
        {
            var pieces = part.Trim().Split(':');
            var name = pieces[0];
            var direction = pieces.Length == 1 ? SortDirection.Asc : pieces[1] switch
            {
                "asc" => SortDirection.Asc,
                "desc" => SortDirection.Desc,
                _ => (SortDirection?)null,
            };
            if (spec.FindSortable(name) is null)
                invalid.Add(new ValidationError("sort", "unknown_sort_field", $"'{name}' cannot be sorted on. Sortable: {string.Join(", ", spec.SortableFields.Select(f => f.Name))}."));
            else if (direction is null || pieces.Length > 2)
                invalid.Add(new ValidationError("sort", "invalid_sort_direction", $"Write '{name}:asc' or '{name}:desc'."));
            else if (keys.Any(k => k.Field == name))
                invalid.Add(new ValidationError("sort", "duplicate_sort_field", $"'{name}' appears twice in sort."));
            else
                keys.Add(new SortKey(name, direction.Value));
        }
        if (invalid.Count == 0 && !spec.SortOrders.Any(order => order.SequenceEqual(keys.Select(k => k.Field))))
        {
            invalid.Add(new ValidationError("sort", "unsupported_sort",
                $"This order is not indexed. Supported: {string.Join("; ", spec.SortOrders.Select(o => string.Join(",", o)))} (each key :asc or :desc)."));
        }
        return keys;
    }

    private static object? ParseFilterValue(FilterParameter filter, string value, List<ValidationError> invalid, List<ValidationError> unacceptable)
    {
        switch (filter.Type)
        {
            case ListFieldType.Timestamp:
                // An unencoded '+' in a query string arrives as a space: read "…00 01:00" as "+01:00".
                var text = value.Length > 6 && value[^6] == ' ' ? value[..^6] + "+" + value[^5..] : value;
                if (Rfc3339.TryParse(text, out var instant)) return instant;
                invalid.Add(new ValidationError(filter.Name, "invalid_timestamp", $"{filter.Name} must be {Rfc3339.Expectation}."));
                return null;
            case ListFieldType.Integer:
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return number;
                invalid.Add(new ValidationError(filter.Name, "invalid_type", $"{filter.Name} must be an integer."));
                return null;
            case ListFieldType.Uuid:
                if (Guid.TryParse(value, out var id)) return id;
                invalid.Add(new ValidationError(filter.Name, "invalid_uuid", $"{filter.Name} must be a UUID."));
                return null;
            case ListFieldType.JsonObject:
                return JsonFilterValue(filter, value, invalid);
            case ListFieldType.Text when filter.Operator == FilterOperator.Contains:
                if (value.Trim().Length is > 0 and <= MaxSearchLength) return value.Trim();
                invalid.Add(new ValidationError(filter.Name, "invalid_value", $"{filter.Name} is 1–{MaxSearchLength} characters."));
                return null;
            default:
                if (filter.AllowedValues is null || filter.AllowedValues.Contains(value)) return value;
                unacceptable.Add(new ValidationError(filter.Name, filter.InvalidValueCode,
                    $"Unknown {filter.Name} '{value}'. Accepted: {string.Join(", ", filter.AllowedValues)}."));
                return null;
        }
    }

    /// <summary>A JSON object of 1 to 10 members, written back compactly (so equal filters bind cursors alike).</summary>
    private static string? JsonFilterValue(FilterParameter filter, string value, List<ValidationError> invalid)
    {
        try
        {
            if (value.Length <= MaxJsonFilterLength && JsonNode.Parse(value) is JsonObject json && json.Count is > 0 and <= 10) return json.ToJsonString();
        }
        catch (JsonException)
        {
            // Reported below, like any other value that is not a small JSON object.
        }
        invalid.Add(new ValidationError(filter.Name, "invalid_json",
            $"{filter.Name} must be a JSON object of 1 to 10 members, at most {MaxJsonFilterLength} characters, e.g. {{\"tier\":\"gold\"}}."));
        return null;
    }

    /// <summary>A short fingerprint of the resource, order and filters (filters in name order, values normalised).</summary>
    private static string Binding(ListSpec spec, IReadOnlyList<SortKey> sort, IReadOnlyList<ListFilter> filters)
    {
        var text = new StringBuilder(spec.Resource).Append('|').AppendJoin(',', sort).Append('|');
        foreach (var filter in filters.OrderBy(f => f.Field, StringComparer.Ordinal).ThenBy(f => f.Operator))
        {
            var value = filter.Value is DateTimeOffset t ? t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : Convert.ToString(filter.Value, CultureInfo.InvariantCulture);
            text.Append(filter.Field).Append(' ').Append(filter.Operator).Append(' ').Append(value).Append(';');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }
}
