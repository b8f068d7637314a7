using Integrations.Application.Common.Messaging;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.EventTypes.Queries.ListEventTypes;

public sealed record ListEventTypesQuery : IQuery<IReadOnlyList<EventTypeDefinition>>;

public sealed class ListEventTypesQueryHandler : IRequestHandler<ListEventTypesQuery, IReadOnlyList<EventTypeDefinition>>
{
    public Task<IReadOnlyList<EventTypeDefinition>> Handle(ListEventTypesQuery request, CancellationToken cancellationToken) =>
        Task.FromResult(EventTypeCatalog.All);
}
