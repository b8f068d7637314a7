using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;

namespace Integrations.Application.Common.Listing;

public enum PageDirection
{
    /// <summary>The page after the cursor's row in the list's order (next_cursor).</summary>
    After,

    /// <summary>The page before the cursor's row in the list's order (previous_cursor).</summary>
    Before,
}

/// <summary>
/// A keyset position: the sort key values and id of the row at a page's edge, which side of it to
/// read, and the binding of the query it belongs to. Encoded as base64url JSON; clients must treat
/// it as opaque. It holds no offset, so rows inserted meanwhile never shift a page.
/// </summary>
public sealed record ListCursor(PageDirection Direction, IReadOnlyList<object> Values, Guid Id, string Binding)
{
    public string Encode()
    {
        var values = new JsonArray();
        foreach (var value in Values)
        {
            values.Add(value switch
            {
                DateTimeOffset t => JsonValue.Create(t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                long l => JsonValue.Create(l),
                string s => JsonValue.Create(s),
                _ => throw new ArgumentException($"Unsupported cursor value type {value.GetType()}."),
            });
        }
        var json = new JsonObject
        {
            ["d"] = Direction == PageDirection.After ? "a" : "b",
            ["k"] = values,
            ["i"] = Id.ToString("N"),
            ["q"] = Binding,
        };
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));
    }

    /// <summary>
    /// A value this API did not issue is a 422 (<c>invalid_cursor</c>); a cursor issued for another
    /// order or other filters is a 400 (<c>cursor_mismatch</c>): the request contradicts itself.
    /// </summary>
    public static ListCursor Decode(string value, ListSpec spec, IReadOnlyList<SortKey> sort, string binding)
    {
        var invalid = new ValidationException([new ValidationError("cursor", "invalid_cursor", "The cursor is not one this API issued.")]);
        var cursor = TryDecode(value, spec, sort) ?? throw invalid;
        if (cursor.Binding != binding)
        {
            throw new InvalidParameterException([new ValidationError("cursor", "cursor_mismatch",
                "The cursor was issued for a different sort or different filters. Repeat the sort and filters of the request that returned it, or start again without a cursor.")]);
        }
        return cursor.Values.Count == sort.Count ? cursor : throw invalid;
    }

    private static ListCursor? TryDecode(string value, ListSpec spec, IReadOnlyList<SortKey> sort)
    {
        try
        {
            if (JsonNode.Parse(Base64Url.DecodeFromChars(value)) is not JsonObject json) return null;
            var direction = (string?)json["d"] switch { "a" => PageDirection.After, "b" => PageDirection.Before, _ => (PageDirection?)null };
            if (direction is null || json["k"] is not JsonArray keys || !Guid.TryParseExact((string?)json["i"], "N", out var id) || (string?)json["q"] is not { } binding) return null;
            // Keys are checked against the types of the order the request names: a cursor of another
            // order fails here or at the binding check, never with a type error in SQL.
            if (keys.Count != sort.Count) return new ListCursor(direction.Value, [], id, binding);
            var values = new List<object>();
            for (var i = 0; i < keys.Count; i++)
            {
                var type = spec.FindSortable(sort[i].Field)!.Type;
                object? parsed = (type, keys[i]?.GetValueKind()) switch
                {
                    (ListFieldType.Text, JsonValueKind.String) => (string)keys[i]!,
                    (ListFieldType.Integer, JsonValueKind.Number) => (long)keys[i]!,
                    (ListFieldType.Timestamp, JsonValueKind.String) when DateTimeOffset.TryParseExact((string)keys[i]!, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) => t,
                    _ => null,
                };
                if (parsed is null) return new ListCursor(direction.Value, [], id, binding);
                values.Add(parsed);
            }
            return new ListCursor(direction.Value, values, id, binding);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
