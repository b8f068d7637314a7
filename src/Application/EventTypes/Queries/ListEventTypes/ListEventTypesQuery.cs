using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Common;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.EventTypes.Queries.ListEventTypes;

/// <param name="Source">"product" (published through the API) or "platform" (emitted by the platform only).</param>
public sealed record EventTypeDto(string Name, string Description, string Source, JsonElement Schema, JsonElement Sample);

/// <summary>The whole catalog, for pages that show every type at once (the console's pickers).</summary>
public sealed record ListEventTypesQuery : IQuery<IReadOnlyList<EventTypeDto>>;

/// <summary>
/// <c>GET /api/v1/event-types</c>: the catalog under the list conventions (limit, cursor, sort,
/// fields), by name, filtered by source or a text search. It is small and fixed per release: one
/// page of 100 holds it.
/// </summary>
public sealed record ListEventTypesPageQuery(ListQuery List) : IQuery<CursorPage<EventTypeDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "event_types",
        SortableFields = [new("name", ListFieldType.Text)],
        SortOrders = [["name"]],
        DefaultSort = [new("name", SortDirection.Asc)],
        Filters =
        [
            FilterParameter.OneOf("source", ["product", "platform"], "Only types the product publishes through the API, or only those the platform emits."),
            FilterParameter.Search("text", "Only types whose name or description contains this text (case-insensitive)."),
        ],
    };
}

public sealed class ListEventTypesQueryHandler : IRequestHandler<ListEventTypesQuery, IReadOnlyList<EventTypeDto>>, IRequestHandler<ListEventTypesPageQuery, CursorPage<EventTypeDto>>
{
    // The catalog is fixed for the life of the process: parse it once.
    private static readonly IReadOnlyList<EventTypeDto> Catalog = EventTypeCatalog.All.Select(t => new EventTypeDto(
        t.Name,
        t.Description,
        t.Source == EventSource.Product ? "product" : "platform",
        JsonSerializer.Deserialize<JsonElement>(t.Schema),
        JsonSerializer.Deserialize<JsonElement>(t.Sample))).ToList();

    public Task<IReadOnlyList<EventTypeDto>> Handle(ListEventTypesQuery request, CancellationToken cancellationToken) => Task.FromResult(Catalog);

    public Task<CursorPage<EventTypeDto>> Handle(ListEventTypesPageQuery request, CancellationToken cancellationToken) =>
        Task.FromResult(InMemoryList.Page(Catalog, request.List, Field, IdOf));

    private static object Field(EventTypeDto type, string field) => field switch
    {
        "name" => type.Name,
        "source" => type.Source,
        "text" => $"{type.Name} {type.Description}",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a field of event types."),
    };

    private static Guid IdOf(EventTypeDto type) => NameBasedGuid.Create(System.Text.Encoding.UTF8.GetBytes("event-type:" + type.Name));
}
