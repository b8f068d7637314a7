using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.Hooks.Commands.UnsubscribeHook;

/// <summary>RESTHooks.org's unsubscribe: the hook is deleted like an endpoint (its pending deliveries dead-lettered). A plain endpoint's id is "not found" here.</summary>
public sealed record UnsubscribeHookCommand(Guid TenantId, Guid HookId) : ICommand<Unit>;

public sealed class UnsubscribeHookCommandHandler(IHookReadModel hooks, WebhookEndpointAggregate endpointAggregate, WebhookEndpointIncidents incidents, IClock clock)
    : IRequestHandler<UnsubscribeHookCommand, Unit>
{
    public async Task<Unit> Handle(UnsubscribeHookCommand request, CancellationToken cancellationToken)
    {
        _ = await hooks.FindAsync(request.TenantId, request.HookId, cancellationToken) ?? throw HookErrors.NotFound();
        var deleted = await endpointAggregate.HandleAsync(request.TenantId, request.HookId, new DeleteWebhookEndpoint(clock.UtcNow), cancellationToken);
        // A hook disabled after consecutive failures has an open incident; it ends with the hook.
        await incidents.DeletedAsync(deleted.State, cancellationToken);
        return Unit.Value;
    }
}
