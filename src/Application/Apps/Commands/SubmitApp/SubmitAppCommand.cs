using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Apps.Commands.SubmitApp;

/// <summary>Asks the platform to review the app for the public marketplace.</summary>
public sealed record SubmitAppCommand(Guid OwnerTenantId, Guid AppId) : ICommand<AppDto>;

public sealed class SubmitAppCommandHandler(IOAuthStore store, IAppCatalogue catalogue) : IRequestHandler<SubmitAppCommand, AppDto>
{
    public async Task<AppDto> Handle(SubmitAppCommand request, CancellationToken cancellationToken)
    {
        var listing = await catalogue.FindOwnedAsync(request.OwnerTenantId, request.AppId, cancellationToken);
        if (listing.App.ReviewStatus is "pending" or "approved") throw new ConflictException("review_in_progress", "The app is already submitted or approved.");
        await store.SetReviewAsync(listing.App.Id, listing.App.Visibility, "pending", null, cancellationToken);
        return AppDto.From(listing with { App = listing.App with { ReviewStatus = "pending", ReviewReason = null } });
    }
}
