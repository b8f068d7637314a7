using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.ProductBridge.Commands.SendProductCommand;

/// <summary>
/// A command issued through the API, for the product team to exercise its consumer and its callback:
/// validated as a connector's, published the same way, its origin always provider "api" (a caller
/// cannot pass it off as a connection's).
/// </summary>
public sealed record SendProductCommandCommand(
    Guid TenantId, string? Command, EntityTarget? Target, JsonElement Data, string? ExternalReference,
    [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<ProductCommandDto>, IIdempotentCommand
{
    /// <summary>The provider id of commands issued through the API.</summary>
    public const string ApiProvider = "api";

    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();

    [JsonIgnore] public CommandOrigin Origin => new(null, ApiProvider, ExternalReference);
}

public sealed class SendProductCommandCommandValidator : AbstractValidator<SendProductCommandCommand>
{
    public SendProductCommandCommandValidator()
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
        RuleFor(c => c).Custom((command, context) =>
        {
            foreach (var problem in ProductCommandRules.Check(command.Command, command.Target, command.Data, command.Origin))
            {
                // origin is the API's own; only its external_reference comes from the request.
                var field = problem.Field == "origin.external_reference" ? "external_reference" : problem.Field;
                context.AddFailure(new FluentValidation.Results.ValidationFailure(field, problem.Message)
                    { ErrorCode = problem.Code, CustomState = FieldNames.Verbatim });
            }
        });
    }
}

public sealed class SendProductCommandCommandHandler(ProductCommandSender sender, ITenantReadModel tenants)
    : IRequestHandler<SendProductCommandCommand, ProductCommandDto>
{
    public async Task<ProductCommandDto> Handle(SendProductCommandCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var sent = await sender.SendAsync(new NewProductCommand(request.TenantId, request.Command!, request.Target, request.Data, request.Origin), cancellationToken);
        var issued = sent.Issued!;
        return new ProductCommandDto(issued.CommandId, issued.Command, issued.Target, request.Data, issued.Origin, ProductCommandStatuses.Published, null,
            issued.CorrelationId, issued.CausationId, issued.IssuedAt);
    }
}
