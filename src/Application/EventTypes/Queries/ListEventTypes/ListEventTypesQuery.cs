using System.Text.Json;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.EventTypes.Queries.ListEventTypes;

/// <param name="Source">"product" (published through the API) or "platform" (emitted by the platform only).</param>
public sealed record EventTypeDto(string Name, string Description, string Source, JsonElement Schema, JsonElement Sample);

public sealed record ListEventTypesQuery : IQuery<IReadOnlyList<EventTypeDto>>;

public sealed class ListEventTypesQueryHandler : IRequestHandler<ListEventTypesQuery, IReadOnlyList<EventTypeDto>>
{
    // The catalog is fixed for the life of the process: parse it once.
    private static readonly IReadOnlyList<EventTypeDto> Catalog = EventTypeCatalog.All.Select(t => new EventTypeDto(
        t.Name,
        t.Description,
        t.Source == EventSource.Product ? "product" : "platform",
        JsonSerializer.Deserialize<JsonElement>(t.Schema),
        JsonSerializer.Deserialize<JsonElement>(t.Sample))).ToList();

    public Task<IReadOnlyList<EventTypeDto>> Handle(ListEventTypesQuery request, CancellationToken cancellationToken) => Task.FromResult(Catalog);
}
