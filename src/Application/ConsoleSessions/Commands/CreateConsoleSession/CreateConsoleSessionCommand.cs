using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.ConsoleSessions.Commands.CreateConsoleSession;

/// <summary>The token is in the answer only: the store keeps its hash.</summary>
public sealed record CreatedConsoleSession(Guid Id, string Token, DateTimeOffset ExpiresAt);

/// <summary>Mints a single-use link that opens the console for the tenant, valid for <paramref name="Lifetime"/>.</summary>
public sealed record CreateConsoleSessionCommand(Guid TenantId, TimeSpan Lifetime) : ICommand<CreatedConsoleSession>;

public sealed class CreateConsoleSessionCommandValidator : AbstractValidator<CreateConsoleSessionCommand>
{
    public CreateConsoleSessionCommandValidator() =>
        RuleFor(c => c.Lifetime).GreaterThan(TimeSpan.Zero).LessThanOrEqualTo(TimeSpan.FromHours(1));
}

public sealed class CreateConsoleSessionCommandHandler(IConsoleSessionStore sessions, ITenantReadModel tenants, IClock clock)
    : IRequestHandler<CreateConsoleSessionCommand, CreatedConsoleSession>
{
    public const string TokenPrefix = "cs_";

    public async Task<CreatedConsoleSession> Handle(CreateConsoleSessionCommand request, CancellationToken cancellationToken)
    {
        if (await tenants.FindAsync(request.TenantId, cancellationToken) is null) throw new NotFoundException("tenant_not_found", "No such tenant.");
        var token = OpaqueSecret.Generate(TokenPrefix);
        var id = Guid.CreateVersion7();
        var now = clock.UtcNow;
        var expiresAt = now + request.Lifetime;
        await sessions.InsertAsync(id, request.TenantId, OpaqueSecret.Hash(token), now, expiresAt, cancellationToken);
        return new CreatedConsoleSession(id, token, expiresAt);
    }
}
