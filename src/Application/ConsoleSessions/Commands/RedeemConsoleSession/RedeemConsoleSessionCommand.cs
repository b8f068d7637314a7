using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.ConsoleSessions.Commands.RedeemConsoleSession;

/// <summary>Uses a console link once: the answer says whether it opened a session, and for which tenant.</summary>
public sealed record RedeemConsoleSessionCommand(string? Token) : ICommand<ConsoleSessionRedemption>;

public sealed class RedeemConsoleSessionCommandHandler(IConsoleSessionStore sessions, IClock clock)
    : IRequestHandler<RedeemConsoleSessionCommand, ConsoleSessionRedemption>
{
    public Task<ConsoleSessionRedemption> Handle(RedeemConsoleSessionCommand request, CancellationToken cancellationToken)
    {
        // Anything that is not a minted token cannot match a stored hash; skip the round trip.
        if (string.IsNullOrEmpty(request.Token) || !request.Token.StartsWith(CreateConsoleSession.CreateConsoleSessionCommandHandler.TokenPrefix, StringComparison.Ordinal)
            || request.Token.Length > 100)
            return Task.FromResult(new ConsoleSessionRedemption(ConsoleSessionOutcome.Unknown));
        return sessions.RedeemAsync(OpaqueSecret.Hash(request.Token), clock.UtcNow, cancellationToken);
    }
}
