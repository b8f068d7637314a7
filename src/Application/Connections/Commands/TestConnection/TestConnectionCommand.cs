using MediatR;

namespace Integrations.Application.Connections.Commands.TestConnection;

/// <param name="Result">succeeded, failed, or skipped (the connection cannot be used now, or its provider has no health check).</param>
/// <param name="Error">Why it failed or was skipped: the provider's error (http_500, timeout …), account_changed, or the connection's status.</param>
public sealed record ConnectionTestDto(string Result, string? Error, ConnectionAccountDto? Account, DateTimeOffset CheckedAt, ConnectionDto Connection);

/// <summary>
/// The connection's health check now, recorded like a periodic one (failures count towards a
/// disconnection; a success restores it). Not one transaction: the call to the provider runs
/// outside any, and refreshes and the record take the connection's lock each.
/// </summary>
public sealed record TestConnectionCommand(Guid TenantId, Guid ConnectionId) : IRequest<ConnectionTestDto>;

public sealed class TestConnectionCommandHandler(ConnectionHealthChecker checker, IConnectionReadModel readModel) : IRequestHandler<TestConnectionCommand, ConnectionTestDto>
{
    public async Task<ConnectionTestDto> Handle(TestConnectionCommand request, CancellationToken cancellationToken)
    {
        _ = await readModel.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        var result = await checker.CheckAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var connection = await readModel.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        return new ConnectionTestDto(
            result.Succeeded switch { true => "succeeded", false => "failed", null => "skipped" },
            result.Error,
            result.Account is { } account ? new ConnectionAccountDto(account.Id, account.Name) : null,
            result.CheckedAt,
            connection);
    }
}
