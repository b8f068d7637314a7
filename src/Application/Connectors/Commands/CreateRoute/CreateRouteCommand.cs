using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Connectors;
using MediatR;

namespace Integrations.Application.Connectors.Commands.CreateRoute;

/// <summary>
/// A route of a connection: events of <see cref="EventTypes"/> passing <see cref="Filter"/> are sent
/// to <see cref="Action"/> with <see cref="Settings"/>, which the action checks (for http.request:
/// method, URL or path, headers, body template). Enabled unless <see cref="Enabled"/> is false.
/// </summary>
public sealed record CreateRouteCommand(
    Guid TenantId, Guid ConnectionId, string? Name, IReadOnlyList<string>? EventTypes, IReadOnlyList<RouteConditionInput>? Filter, string? Action,
    JsonElement Settings, bool? Enabled, [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<RouteDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateRouteCommandValidator : AbstractValidator<CreateRouteCommand>
{
    public CreateRouteCommandValidator()
    {
        RuleFor(c => c.EventTypes).NotNull().WithMessage("event_types is required: the event types the route sends (or [\"*\"]).");
        RuleFor(c => c.Action).NotEmpty().WithMessage("action is required (e.g. http.request).");
        RuleFor(c => c.Settings).ActionSettings();
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class CreateRouteCommandHandler(RouteAggregate routes, AggregateStore aggregates, IRouteReadModel readModel, IClock clock)
    : IRequestHandler<CreateRouteCommand, RouteDto>
{
    public async Task<RouteDto> Handle(CreateRouteCommand request, CancellationToken cancellationToken)
    {
        var connection = await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var (action, settings) = await routes.CheckActionAsync(connection, request.Action!, RouteInputs.SettingsOrEmpty(request.Settings), cancellationToken);
        var id = Guid.CreateVersion7();
        var create = new Domain.Connectors.CreateRoute(id, request.TenantId, request.ConnectionId, request.Name, request.EventTypes!,
            RouteInputs.Conditions(request.Filter), action, settings, clock.UtcNow, connection.Provider);
        await aggregates.StartAsync(RouteDecider.Decider, RouteDecider.StreamId(id), create, request.TenantId, cancellationToken);
        await routes.RoutesChangedAsync(request.TenantId, request.ConnectionId, cancellationToken);
        if (request.Enabled == false)
            await routes.HandleAsync(request.TenantId, request.ConnectionId, id, new Domain.Connectors.UpdateRoute(null, null, null, null, null, false, clock.UtcNow), cancellationToken);
        // The inline projection ran in this transaction: the read model shows the route.
        return (await readModel.FindAsync(request.TenantId, request.ConnectionId, id, cancellationToken))!;
    }
}
