using Integrations.Application.Common.Interfaces;
using Integrations.Application.Email.Commands.AcceptMail;
using Integrations.Application.Email.Queries.IsMailRecipient;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Email.Pipelines;

/// <summary>
/// The SMTP listener's two questions, each in a scope of its own: does RCPT TO name an active address
/// of ours, and (at the end of DATA) store the mail, committed before the listener answers 250.
/// </summary>
public sealed class MailIntake(IWorkScopeFactory scopes)
{
    public const string Actor = "system:email-smtp";

    public Task<bool> IsRecipientAsync(string address, CancellationToken ct) => SendAsync(new IsMailRecipientQuery(address), ct);

    public Task<AcceptedMail> AcceptAsync(IReadOnlyList<string> recipients, byte[] raw, CancellationToken ct) => SendAsync(new AcceptMailCommand(recipients, raw), ct);

    private async Task<T> SendAsync<T>(IRequest<T> request, CancellationToken ct)
    {
        await using var scope = scopes.CreateScope(Actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, ct);
    }
}
