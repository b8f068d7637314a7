using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.ProductBridge;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.ProductBridge.Commands.ConfigureProductCallback;

/// <param name="Secret">The signing secret: only in the answer that configured the callback (reveal-secret shows it again).</param>
/// <param name="Created">Whether this call configured it (201) rather than changed or kept it (200).</param>
public sealed record ConfiguredProductCallbackDto(string Url, string? Secret, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, [property: System.Text.Json.Serialization.JsonIgnore] bool Created);

/// <summary>
/// PUT: the tenant's one callback URL, created with a new signing secret or changed (the secret
/// stays). The URL passes the SSRF guard of webhook endpoints. The same URL again changes nothing.
/// </summary>
public sealed record ConfigureProductCallbackCommand(Guid TenantId, string? Url) : ICommand<ConfiguredProductCallbackDto>;

public sealed class ConfigureProductCallbackCommandValidator : AbstractValidator<ConfigureProductCallbackCommand>
{
    public ConfigureProductCallbackCommandValidator(IUrlSafetyChecker urls)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Url).Cascade(CascadeMode.Stop).NotEmpty().SafeWebhookUrl(urls);
    }
}

public sealed class ConfigureProductCallbackCommandHandler(
    ProductCallbackAggregate callbacks, IProductCallbackReadModel readModel, ITenantReadModel tenants, ISecretProtector protector, IClock clock)
    : IRequestHandler<ConfigureProductCallbackCommand, ConfiguredProductCallbackDto>
{
    public async Task<ConfiguredProductCallbackDto> Handle(ConfigureProductCallbackCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        // Protected only; used when this call creates the callback, dropped when it exists already.
        var secret = WebhookSignature.NewSecret();
        var decided = await callbacks.HandleAsync(request.TenantId,
            new Domain.ProductBridge.ConfigureProductCallback(request.TenantId, request.Url!, protector.Protect(secret), clock.UtcNow), cancellationToken);
        var created = decided.Events.OfType<ProductCallbackConfigured>().Any();
        // The inline projection wrote the row in this transaction.
        var stored = await readModel.FindAsync(request.TenantId, cancellationToken) ?? throw ProductCallbackAggregate.NotFound();
        return new ConfiguredProductCallbackDto(stored.Url, created ? secret : null, stored.PreviousSecretExpiresAt, stored.CreatedAt, stored.UpdatedAt, created);
    }
}
