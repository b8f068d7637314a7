using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.UpdateWebhookEndpoint;

/// <summary>
/// A JSON merge patch: null leaves a field unchanged; an empty <see cref="Description"/> removes
/// the description. A new URL passes the same SSRF guard as at registration.
/// </summary>
public sealed record UpdateWebhookEndpointCommand(
    Guid TenantId, Guid EndpointId, string? Url, IReadOnlyList<string>? EventTypes, string? Description, int? RateLimitPerMinute)
    : ICommand<WebhookEndpointDto>;

public sealed class UpdateWebhookEndpointCommandValidator : AbstractValidator<UpdateWebhookEndpointCommand>
{
    public UpdateWebhookEndpointCommandValidator(IUrlSafetyChecker urls)
    {
        RuleFor(c => c.Url).SafeWebhookUrl(urls).When(c => c.Url is not null);
        RuleFor(c => c.EventTypes).Subscriptions().When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).Description();
        RuleFor(c => c.RateLimitPerMinute).RateLimit();
    }
}

public sealed class UpdateWebhookEndpointCommandHandler(WebhookEndpointAggregate endpointAggregate, IWebhookEndpointReadModel endpoints, IClock clock)
    : IRequestHandler<UpdateWebhookEndpointCommand, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(UpdateWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId,
            new Domain.Webhooks.UpdateWebhookEndpoint(request.Url, request.EventTypes, request.Description, request.RateLimitPerMinute, clock.UtcNow),
            cancellationToken);
        // The inline projection ran in this transaction: the read model already shows the change.
        return (await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken))!;
    }
}
