using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Hooks.Queries.GetHook;

public sealed record GetHookQuery(Guid TenantId, Guid HookId) : IQuery<HookDto>;

public sealed class GetHookQueryHandler(IHookReadModel hooks) : IRequestHandler<GetHookQuery, HookDto>
{
    public async Task<HookDto> Handle(GetHookQuery request, CancellationToken cancellationToken) =>
        await hooks.FindAsync(request.TenantId, request.HookId, cancellationToken) ?? throw HookErrors.NotFound();
}
