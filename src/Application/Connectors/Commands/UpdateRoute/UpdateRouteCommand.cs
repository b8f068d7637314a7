using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connectors.Commands.UpdateRoute;

/// <summary>
/// A JSON merge patch of a route: null (or absent) leaves a field as it is; an empty
/// <see cref="Name"/> removes the name; <see cref="Enabled"/> enables or disables it. New settings,
/// or a new action, are checked by the action like at creation.
/// </summary>
public sealed record UpdateRouteCommand(
    Guid TenantId, Guid ConnectionId, Guid RouteId, string? Name, IReadOnlyList<string>? EventTypes, IReadOnlyList<RouteConditionInput>? Filter,
    string? Action, JsonElement? Settings, bool? Enabled) : ICommand<RouteDto>;

public sealed class UpdateRouteCommandValidator : AbstractValidator<UpdateRouteCommand>
{
    public UpdateRouteCommandValidator()
    {
        RuleFor(c => c.Action).NotEmpty().When(c => c.Action is not null).WithMessage("action must not be empty.");
        RuleFor(c => c.Settings!.Value).ActionSettings().OverridePropertyName("settings").When(c => c.Settings is not null);
    }
}

public sealed class UpdateRouteCommandHandler(RouteAggregate routes, IRouteReadModel readModel, IClock clock) : IRequestHandler<UpdateRouteCommand, RouteDto>
{
    public async Task<RouteDto> Handle(UpdateRouteCommand request, CancellationToken cancellationToken)
    {
        var connection = await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var current = await readModel.FindAsync(request.TenantId, request.ConnectionId, request.RouteId, cancellationToken) ?? throw RouteAggregate.RouteNotFound();
        string? action = null, settings = null;
        if (request.Action is not null || request.Settings is not null)
        {
            // Settings belong to their action: a new action is checked with the settings given (or the current ones), new settings with the action.
            (action, settings) = await routes.CheckActionAsync(connection, request.Action ?? current.Action, request.Settings ?? current.Settings, cancellationToken);
        }
        await routes.HandleAsync(request.TenantId, request.ConnectionId, request.RouteId,
            new Domain.Connectors.UpdateRoute(request.Name, request.EventTypes, request.Filter is null ? null : RouteInputs.Conditions(request.Filter), action,
                settings, request.Enabled, clock.UtcNow),
            cancellationToken);
        return (await readModel.FindAsync(request.TenantId, request.ConnectionId, request.RouteId, cancellationToken))!;
    }
}
