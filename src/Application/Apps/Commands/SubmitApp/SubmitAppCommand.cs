using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Commands.SubmitApp;

/// <summary>Asks the platform to review the app for the public marketplace.</summary>
public sealed record SubmitAppCommand(Guid OwnerTenantId, Guid AppId) : ICommand<AppDto>;

public sealed class SubmitAppCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<SubmitAppCommand, AppDto>
{
    public async Task<AppDto> Handle(SubmitAppCommand request, CancellationToken cancellationToken)
    {
        var loaded = await apps.LoadOwnedAsync(request.OwnerTenantId, request.AppId, cancellationToken);
        if (loaded.State.ReviewStatus is AppReviewStatuses.Pending or AppReviewStatuses.Approved)
            throw new ConflictException("review_in_progress", "The app is already submitted or approved.");
        return AppDto.From(AppAggregate.Listing(await apps.HandleAsync(loaded, new Domain.Marketplace.SubmitApp(clock.UtcNow), cancellationToken)));
    }
}
