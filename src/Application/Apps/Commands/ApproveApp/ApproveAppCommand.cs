using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Apps.Commands.ApproveApp;

/// <summary>The platform operator approves a submitted app: it becomes public and listed in the marketplace.</summary>
public sealed record ApproveAppCommand(Guid AppId) : ICommand<AppDto>;

public sealed class ApproveAppCommandHandler(IOAuthStore store, IAppCatalogue catalogue) : IRequestHandler<ApproveAppCommand, AppDto>
{
    public async Task<AppDto> Handle(ApproveAppCommand request, CancellationToken cancellationToken)
    {
        var listing = await catalogue.FindAsync(request.AppId, cancellationToken) ?? throw AppLookup.NotFound();
        if (listing.App.ReviewStatus != "pending") throw new ConflictException("not_pending", "Only a submitted app can be approved.");
        await store.SetReviewAsync(request.AppId, "public", "approved", null, cancellationToken);
        return AppDto.From(listing with { App = listing.App with { Visibility = "public", ReviewStatus = "approved" } });
    }
}
