using Integrations.Application.Common.Messaging;
using Integrations.Application.Inbound.Commands.DeleteInboundSource;
using MediatR;

namespace Integrations.Application.Inbound.Queries.GetInboundSource;

/// <summary>One of the tenant's sources, never its secret.</summary>
public sealed record GetInboundSourceQuery(Guid TenantId, Guid SourceId) : IQuery<InboundSourceDto>;

public sealed class GetInboundSourceQueryHandler(IInboundSources sources) : IRequestHandler<GetInboundSourceQuery, InboundSourceDto>
{
    public async Task<InboundSourceDto> Handle(GetInboundSourceQuery request, CancellationToken ct) =>
        await sources.FindAsync(request.TenantId, request.SourceId, ct) ?? throw DeleteInboundSourceCommandHandler.NotFound();
}
