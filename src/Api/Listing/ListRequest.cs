using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Listing;

/// <summary>Marks an endpoint as a list under the conventions: its spec, the type of its items and the other query parameters it binds itself.</summary>
public sealed record ListEndpointMetadata(ListSpec Spec, Type ItemType, IReadOnlyList<string> OtherQueryParameters);

/// <summary>
/// The list parameters of a request, bound from the query string against the endpoint's
/// <see cref="ListEndpointMetadata"/> (declare a <c>ListRequest</c> handler parameter and call
/// <see cref="ListEndpointExtensions.WithListConventions{TItem}"/>). Every query parameter must be
/// one the endpoint knows, at most once: a typo is a 400 naming it, never silently ignored.
/// </summary>
public sealed class ListRequest
{
    private ListRequest(ListQuery query, IReadOnlySet<string>? fields)
    {
        Query = query;
        Fields = fields;
    }

    public ListQuery Query { get; }

    /// <summary>The JSON properties to keep in each item (<c>id</c> always among them), or null for all.</summary>
    public IReadOnlySet<string>? Fields { get; }

    public static ValueTask<ListRequest?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<ListEndpointMetadata>()
            ?? throw new InvalidOperationException($"{context.GetEndpoint()?.DisplayName} binds a ListRequest without WithListConventions().");

        var invalid = new List<ValidationError>();
        var filters = new Dictionary<string, string>();
        string? limit = null, cursor = null, sort = null, fields = null;
        foreach (var (name, values) in context.Request.Query)
        {
            if (values.Count > 1)
            {
                invalid.Add(new ValidationError(name, "duplicate_parameter", $"'{name}' may appear only once; separate several values with commas where the parameter takes a list."));
                continue;
            }
            var value = values.ToString();
            switch (name)
            {
                case "limit": limit = value; break;
                case "cursor": cursor = value; break;
                case "sort": sort = value; break;
                case "fields": fields = value; break;
                default:
                    if (!metadata.OtherQueryParameters.Contains(name)) filters[name] = value;
                    break;
            }
        }
        if (invalid.Count > 0) throw new InvalidParameterException(invalid);

        var options = JsonOptions(context);
        var selected = fields is null ? null : ParseFields(fields, metadata.ItemType, options);
        var query = ListQueryParser.Parse(metadata.Spec, new ListParameters(limit, cursor, sort, filters));
        return ValueTask.FromResult<ListRequest?>(new ListRequest(query, selected));
    }

    /// <summary>The page as the conventions define it; with <c>fields</c>, each item keeps only the selected properties.</summary>
    public IResult Page<T>(CursorPage<T> page, HttpContext context)
    {
        if (Fields is null) return TypedResults.Ok(page);
        var options = JsonOptions(context);
        var items = page.Data.Select(item =>
        {
            var node = (JsonObject)JsonSerializer.SerializeToNode(item, options)!;
            foreach (var name in node.Select(p => p.Key).Where(k => !Fields.Contains(k)).ToList()) node.Remove(name);
            return node;
        }).ToList();
        return TypedResults.Ok(new CursorPage<JsonObject>(items, page.NextCursor, page.PreviousCursor, page.HasMore));
    }

    /// <summary>The property names of the item as it is serialized: the names clients see.</summary>
    public static IReadOnlyList<string> FieldNames(Type itemType, JsonSerializerOptions options) =>
        options.GetTypeInfo(itemType).Properties.Select(p => p.Name).ToList();

    private static HashSet<string> ParseFields(string raw, Type itemType, JsonSerializerOptions options)
    {
        var known = FieldNames(itemType, options);
        var selected = new HashSet<string>(StringComparer.Ordinal) { "id" };
        var invalid = new List<ValidationError>();
        foreach (var name in raw.Split(',').Select(f => f.Trim()))
        {
            if (known.Contains(name)) selected.Add(name);
            else invalid.Add(new ValidationError("fields", "unknown_field", $"Items have no field '{name}'. Fields: {string.Join(", ", known)}."));
        }
        return invalid.Count > 0 ? throw new InvalidParameterException(invalid) : selected;
    }

    private static JsonSerializerOptions JsonOptions(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
}
