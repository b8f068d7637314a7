using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Email;
using MediatR;

namespace Integrations.Application.Email.Queries.GetEmailAttachment;

/// <summary>An attachment's bytes and the harmless name it is downloaded as (<see cref="AttachmentNames"/>); the API serves it as a download, never inline.</summary>
public sealed record GetEmailAttachmentQuery(Guid TenantId, Guid ThreadId, Guid MessageId, int AttachmentId) : IQuery<EmailAttachmentContent>;

public sealed class GetEmailAttachmentQueryHandler(IEmailThreads threads) : IRequestHandler<GetEmailAttachmentQuery, EmailAttachmentContent>
{
    public async Task<EmailAttachmentContent> Handle(GetEmailAttachmentQuery request, CancellationToken ct)
    {
        var found = await threads.FindAttachmentAsync(request.TenantId, request.ThreadId, request.MessageId, request.AttachmentId, ct)
                    ?? throw new NotFoundException("email_attachment_not_found", "There is no such attachment.");
        if (found.Content is null)
            throw new NotFoundException("email_attachment_not_kept", "The attachment was larger than the platform keeps (Email:MaxAttachmentBytes): only its name, type and size were stored.");
        return found with { FileName = AttachmentNames.Safe(found.FileName) };
    }
}
