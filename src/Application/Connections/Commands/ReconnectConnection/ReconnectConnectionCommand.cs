using FluentValidation;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections.Commands.CreateConnection;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using MediatR;

namespace Integrations.Application.Connections.Commands.ReconnectConnection;

/// <summary>
/// A new authorization for the same connection (same id, its routes and links kept): for oauth2_code
/// a new connect_url; for credentials given directly, new ones, verified first. The account must be
/// the one the connection belongs to (the decider refuses another).
/// </summary>
public sealed record ReconnectConnectionCommand(
    Guid TenantId,
    Guid ConnectionId,
    IReadOnlyList<string>? Scopes,
    SuppliedCredentials? Credentials,
    string? ReturnUrl,
    string CallbackBaseUrl) : ICommand<ConnectionWithConnectUrlDto>;

public sealed class ReconnectConnectionCommandValidator : AbstractValidator<ReconnectConnectionCommand>
{
    public ReconnectConnectionCommandValidator()
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.ConnectionId).NotEmpty();
    }
}

public sealed class ReconnectConnectionCommandHandler(ConnectionAggregate connections, ConnectFlow flow, IConnectionReadModel readModel, IProviderCatalog catalog)
    : IRequestHandler<ReconnectConnectionCommand, ConnectionWithConnectUrlDto>
{
    public async Task<ConnectionWithConnectUrlDto> Handle(ReconnectConnectionCommand request, CancellationToken cancellationToken)
    {
        var state = await connections.LockAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var provider = catalog.Find(state.Provider) ?? throw new Common.Exceptions.ValidationException([new("provider", "provider_unavailable",
            $"The provider '{state.Provider}' is no longer configured on this platform.")]);
        // The settings stay those of the connection; only the credentials (and scopes) are new.
        var failures = ConnectionRules.Check(provider, state.AuthKind, request.Scopes, request.Credentials, state.Settings, request.ReturnUrl, catalog).ToList();
        if (failures.Count > 0)
            throw new Common.Exceptions.ValidationException(failures.Select(f => new Common.Exceptions.ValidationError(f.PropertyName, f.ErrorCode, f.ErrorMessage)).ToList());

        ConnectUrl? connect = null;
        if (state.AuthKind == AuthKinds.OAuth2Code)
            connect = await flow.StartAsync(request.TenantId, request.ConnectionId, provider, request.Scopes, request.ReturnUrl, request.CallbackBaseUrl, cancellationToken);
        else
            await flow.AuthorizeDirectAsync(request.TenantId, request.ConnectionId, provider, state.AuthKind, state.Settings, request.Credentials!, request.Scopes,
                cancellationToken);
        var connection = await readModel.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        return new ConnectionWithConnectUrlDto(connection, connect?.Url, connect?.ExpiresAt);
    }
}
