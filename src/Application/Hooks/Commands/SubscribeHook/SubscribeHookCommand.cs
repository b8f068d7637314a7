using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connectors;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.Hooks.Commands.SubscribeHook;

/// <summary>
/// RESTHooks.org's subscribe, as Zapier, Make and n8n call it: a webhook endpoint of kind hook for
/// the target URL, with the same SSRF rules, delivery, retries, log and signature as any endpoint
/// (ADR 0022). Idempotent-replayable like endpoint creation (the stored response is encrypted).
/// </summary>
public sealed record SubscribeHookCommand(
    Guid TenantId, string? TargetUrl, IReadOnlyList<string>? EventTypes, IReadOnlyList<RouteConditionInput>? Filter,
    [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<CreatedHookDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class SubscribeHookCommandValidator : AbstractValidator<SubscribeHookCommand>
{
    public SubscribeHookCommandValidator(IUrlSafetyChecker urls)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.TargetUrl).Cascade(CascadeMode.Stop).NotEmpty().SafeWebhookUrl(urls);
        RuleFor(c => c.EventTypes).Subscriptions();
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class SubscribeHookCommandHandler(WebhookEndpointCreator creator) : IRequestHandler<SubscribeHookCommand, CreatedHookDto>
{
    public async Task<CreatedHookDto> Handle(SubscribeHookCommand request, CancellationToken cancellationToken)
    {
        // The filter's conditions are checked by the decider (invalid_filter, naming the condition).
        var (created, secret) = await creator.CreateAsync(request.TenantId, request.TargetUrl!, request.EventTypes!, null, null,
            EndpointKinds.Hook, RouteInputs.Conditions(request.Filter), cancellationToken);
        return new CreatedHookDto(created.EndpointId, created.Url, created.EventTypes, HookErrors.Conditions(created.Filter),
            WebhookEndpointStatuses.Enabled, secret, created.CreatedAt);
    }
}
