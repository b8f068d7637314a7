using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.CreateWebhookEndpoint;

/// <summary>The only endpoint response that carries the secret, apart from reveal and rotate.</summary>
public sealed record CreatedWebhookEndpointDto(
    Guid Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    int RateLimitPerMinute,
    string Status,
    string? DisabledReason,
    string? DisabledMessage,
    DateTimeOffset? DisabledAt,
    string Secret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// Idempotent-replayable although the response holds the secret: the idempotency store encrypts
/// every stored response (see PostgresIdempotencyStore), so the plaintext never rests in a table.
/// </summary>
public sealed record CreateWebhookEndpointCommand(
    Guid TenantId, string? Url, IReadOnlyList<string>? EventTypes, string? Description, int? RateLimitPerMinute,
    [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<CreatedWebhookEndpointDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateWebhookEndpointCommandValidator : AbstractValidator<CreateWebhookEndpointCommand>
{
    public CreateWebhookEndpointCommandValidator(IUrlSafetyChecker urls)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Url).Cascade(CascadeMode.Stop).NotEmpty().SafeWebhookUrl(urls);
        RuleFor(c => c.EventTypes).Subscriptions();
        RuleFor(c => c.Description).Description();
        RuleFor(c => c.RateLimitPerMinute).RateLimit();
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class CreateWebhookEndpointCommandHandler(WebhookEndpointCreator creator)
    : IRequestHandler<CreateWebhookEndpointCommand, CreatedWebhookEndpointDto>
{
    public async Task<CreatedWebhookEndpointDto> Handle(CreateWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        var (created, secret) = await creator.CreateAsync(request.TenantId, request.Url!, request.EventTypes!, request.Description,
            request.RateLimitPerMinute, EndpointKinds.Endpoint, null, cancellationToken);
        return new CreatedWebhookEndpointDto(created.EndpointId, created.Url, created.EventTypes, created.Description, created.RateLimitPerMinute,
            WebhookEndpointStatuses.Enabled, null, null, null, secret, created.CreatedAt, created.CreatedAt);
    }
}
