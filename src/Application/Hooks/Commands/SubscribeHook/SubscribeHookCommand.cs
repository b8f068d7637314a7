using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connectors;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.Hooks.Commands.SubscribeHook;

/// <summary>
/// RESTHooks.org's subscribe, as Zapier, Make and n8n call it: a webhook endpoint of kind hook for
/// the target URL, with the same SSRF rules, delivery, retries, log and signature as any endpoint
/// (ADR 0022). Idempotent-replayable like endpoint creation (the stored response is encrypted).
/// </summary>
/// <param name="Verify">Confirm the target first with the X-Hook-Secret handshake (<see cref="IHookHandshake"/>); refused when it does not echo the secret.</param>
public sealed record SubscribeHookCommand(
    Guid TenantId, string? TargetUrl, IReadOnlyList<string>? EventTypes, IReadOnlyList<RouteConditionInput>? Filter, bool Verify = false,
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

public sealed class SubscribeHookCommandHandler(WebhookEndpointCreator creator, IHookHandshake handshake) : IRequestHandler<SubscribeHookCommand, CreatedHookDto>
{
    public async Task<CreatedHookDto> Handle(SubscribeHookCommand request, CancellationToken cancellationToken)
    {
        // The filter is checked before anything is sent (invalid_filter, naming the condition); the decider checks it again.
        var conditions = RouteInputs.Conditions(request.Filter);
        if (conditions.Count > 0) _ = RouteFilter.Parse(conditions);
        string? secret = null;
        if (request.Verify)
        {
            // The secret the target echoes is the one that will sign its deliveries.
            secret = WebhookSignature.NewSecret();
            if (await handshake.ConfirmAsync(request.TargetUrl!, secret, cancellationToken) is { } refusal)
                throw new DomainException("hook_handshake_failed", $"The target did not confirm the subscription: {refusal}.");
        }
        var created = await creator.CreateAsync(request.TenantId, request.TargetUrl!, request.EventTypes!, null, null,
            EndpointKinds.Hook, conditions, cancellationToken, secret);
        return new CreatedHookDto(created.Created.EndpointId, created.Created.Url, created.Created.EventTypes, HookErrors.Conditions(created.Created.Filter),
            WebhookEndpointStatuses.Enabled, created.Secret, request.Verify, created.Created.CreatedAt);
    }
}
