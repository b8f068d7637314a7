using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Email.Queries.GetEmailThread;

/// <summary>One thread of the tenant's with its messages (in and out) and their attachments' metadata, oldest first.</summary>
public sealed record GetEmailThreadQuery(Guid TenantId, Guid ThreadId) : IQuery<EmailThreadDetailDto>;

public sealed class GetEmailThreadQueryHandler(IEmailThreads threads, EmailOptions options) : IRequestHandler<GetEmailThreadQuery, EmailThreadDetailDto>
{
    public async Task<EmailThreadDetailDto> Handle(GetEmailThreadQuery request, CancellationToken ct) =>
        await threads.FindDetailAsync(request.TenantId, request.ThreadId, options.InboundDomain ?? "", ct) ?? throw NotFound();

    public static NotFoundException NotFound() => new("email_thread_not_found", "There is no such e-mail thread.");
}
