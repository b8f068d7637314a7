using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Commands.ApproveApp;

/// <summary>The platform operator approves a submitted app: it becomes public and listed in the marketplace.</summary>
public sealed record ApproveAppCommand(Guid AppId) : ICommand<AppDto>;

public sealed class ApproveAppCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<ApproveAppCommand, AppDto>
{
    public async Task<AppDto> Handle(ApproveAppCommand request, CancellationToken cancellationToken)
    {
        var loaded = await apps.LoadAsync(request.AppId, cancellationToken);
        if (loaded.State.ReviewStatus != AppReviewStatuses.Pending) throw new ConflictException("not_pending", "Only a submitted app can be approved.");
        return AppDto.From(AppAggregate.Listing(await apps.HandleAsync(loaded, new Domain.Marketplace.ApproveApp(clock.UtcNow), cancellationToken)));
    }
}
