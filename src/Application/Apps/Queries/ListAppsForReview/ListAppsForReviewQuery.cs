using Integrations.Application.Apps.Queries.ListApps;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Apps.Queries.ListAppsForReview;

/// <summary>
/// The platform operator's view of apps across every developer organisation (the review queue is
/// <c>review_status=pending</c>), newest first, keyset-paginated; never with secrets.
/// </summary>
public sealed record ListAppsForReviewQuery(ListQuery List) : IQuery<CursorPage<AppDto>>
{
    /// <summary>The same sorts and filters as an organisation's own list.</summary>
    public static readonly ListSpec Spec = ListAppsQuery.Spec;
}

public sealed class ListAppsForReviewQueryHandler(IAppCatalogue catalogue) : IRequestHandler<ListAppsForReviewQuery, CursorPage<AppDto>>
{
    public Task<CursorPage<AppDto>> Handle(ListAppsForReviewQuery request, CancellationToken cancellationToken) =>
        catalogue.ListAllAsync(request.List, cancellationToken);
}
