using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Queries.ListRegistrations;
using Integrations.Application.Connectors.Registrations;
using MediatR;

namespace Integrations.Application.Connectors.Commands.CheckRegistrations;

/// <summary>
/// "Check now" for a connection's registrations (<c>POST /api/v1/connections/{id}/registrations/check</c>):
/// the same check the Workers run on their schedule, run in the request, e.g. after fixing the app's
/// permissions at the provider. Answers the registrations as they are afterwards. Not one transaction
/// (an <see cref="IRequest{T}"/>, like the connection test): the claim commits before the provider is called.
/// </summary>
/// <param name="PublicBaseUrl">Where the inbound URLs are reachable, as the API host knows it.</param>
public sealed record CheckRegistrationsCommand(Guid TenantId, Guid ConnectionId, string PublicBaseUrl) : IRequest<RegistrationList>;

public sealed class CheckRegistrationsCommandHandler(
    IConnectionReadModel connections, ProviderRegistrars registrars, IProviderRegistrations registrations, RegistrationChecker checker,
    RegistrationOptions options, IClock clock)
    : IRequestHandler<CheckRegistrationsCommand, RegistrationList>
{
    public async Task<RegistrationList> Handle(CheckRegistrationsCommand command, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(command.TenantId, command.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        if (registrars.Find(connection.Provider) is not { } registrar)
            throw new ConflictException("no_registrations", $"The platform keeps no registrations at {connection.Provider}.");
        var claimed = await registrations.ClaimAsync(command.TenantId, command.ConnectionId, connection.Provider, registrar.Kind, clock.UtcNow, options.Lease,
                          cancellationToken)
                      ?? throw new ConflictException("check_in_progress", "A check of this connection's registrations is running; ask again in a moment.");
        await checker.CheckAsync(claimed, options.PublicBaseUrl ?? command.PublicBaseUrl, cancellationToken);
        return RegistrationList.Of(await registrations.ListAsync(command.TenantId, command.ConnectionId, cancellationToken));
    }
}
