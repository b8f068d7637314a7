using Integrations.Domain.Common;

namespace Integrations.Domain.Marketplace;

/// <summary>
/// An app's registration, listing, secret and marketplace review: registered private, submitted,
/// then approved (public, in the marketplace) or rejected with a reason (private; may be submitted
/// again). The field formats (https URLs, lengths, the scope catalogue) are checked by the use
/// case's validator, which names the API's fields; this decider keeps what must always hold.
/// </summary>
public static class AppDecider
{
    public static readonly Decider<AppCommand, AppState, IAppEvent> Decider = new(Decide, Evolve, AppState.None);

    public static string StreamId(Guid appId) => $"app-{appId:N}";

    public static IReadOnlyList<IAppEvent> Decide(AppCommand command, AppState state) => command switch
    {
        RegisterApp when state.Exists => throw new DomainException("app_exists", "The app already exists."),
        RegisterApp c => [Register(c)],
        _ when !state.Exists => throw new DomainException("app_not_found", "The app does not exist."),
        UpdateApp c => Update(c, state),
        RotateAppSecret when !state.IsConfidential => throw new DomainException("public_client", "A public app has no client secret."),
        RotateAppSecret c when string.IsNullOrEmpty(c.ClientSecretHash) => throw new DomainException("client_secret_required", "A client secret hash is required."),
        RotateAppSecret c => [new AppSecretRotated(state.AppId, state.OwnerTenantId, c.ClientSecretHash, c.Now)],
        SubmitApp when state.ReviewStatus is AppReviewStatuses.Pending or AppReviewStatuses.Approved =>
            throw new DomainException("review_in_progress", "The app is already submitted or approved."),
        SubmitApp c => [new AppSubmitted(state.AppId, state.OwnerTenantId, c.Now)],
        ApproveApp when state.ReviewStatus != AppReviewStatuses.Pending => throw new DomainException("not_pending", "Only a submitted app can be approved."),
        ApproveApp c => [new AppApproved(state.AppId, state.OwnerTenantId, c.Now)],
        RejectApp when state.ReviewStatus != AppReviewStatuses.Pending => throw new DomainException("not_pending", "Only a submitted app can be rejected."),
        RejectApp c when string.IsNullOrWhiteSpace(c.Reason) => throw new DomainException("reason_required", "A rejection states its reason."),
        RejectApp c => [new AppRejected(state.AppId, state.OwnerTenantId, c.Reason, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown app command."),
    };

    public static AppState Evolve(AppState state, IAppEvent @event) => @event switch
    {
        AppRegistered e => new AppState(e.AppId, e.OwnerTenantId, e.ClientId, e.Name, e.Description, e.HomepageUrl, e.LogoUrl, e.ScreenshotUrls,
            e.RedirectUris, e.Scopes, e.ClientType, e.ClientSecretHash, AppVisibilities.Private, e.AllowedTenantIds, AppReviewStatuses.None, null, e.RegisteredAt,
            e.Category ?? AppCategories.Other),
        AppListingUpdated e => state with
        {
            Name = e.Name, Description = e.Description, HomepageUrl = e.HomepageUrl, LogoUrl = e.LogoUrl, ScreenshotUrls = e.ScreenshotUrls,
            Category = e.Category ?? state.Category,
        },
        AppRedirectUrisChanged e => state with { RedirectUris = e.RedirectUris },
        AppSecretRotated e => state with { ClientSecretHash = e.ClientSecretHash },
        // The visibility stays: a rejected app is private, and an approved one cannot be submitted.
        AppSubmitted => state with { ReviewStatus = AppReviewStatuses.Pending, ReviewReason = null },
        AppApproved => state with { Visibility = AppVisibilities.Public, ReviewStatus = AppReviewStatuses.Approved, ReviewReason = null },
        AppRejected e => state with { Visibility = AppVisibilities.Private, ReviewStatus = AppReviewStatuses.Rejected, ReviewReason = e.Reason },
        AppImported e => new AppState(e.AppId, e.OwnerTenantId, e.ClientId, e.Name, e.Description, e.HomepageUrl, e.LogoUrl, e.ScreenshotUrls,
            e.RedirectUris, e.Scopes, e.ClientType, e.ClientSecretHash, e.Visibility, e.AllowedTenantIds, e.ReviewStatus, e.ReviewReason, e.CreatedAt),
        _ => state,
    };

    private static AppRegistered Register(RegisterApp c)
    {
        var name = c.Name.Trim();
        if (name.Length == 0) throw new DomainException("invalid_name", "An app has a name.");
        if (string.IsNullOrEmpty(c.ClientId)) throw new DomainException("invalid_client_id", "An app has a client_id.");
        if (c.RedirectUris.Count == 0) throw new DomainException("invalid_redirect_uris", "An app has at least one redirect URI.");
        if (c.Scopes.Count == 0) throw new DomainException("invalid_scopes", "An app declares at least one scope.");
        var category = Category(c.Category) ?? AppCategories.Other;
        switch (c.ClientType)
        {
            case ClientTypes.Confidential when string.IsNullOrEmpty(c.ClientSecretHash):
                throw new DomainException("client_secret_required", "A confidential app has a client secret.");
            case ClientTypes.Public when c.ClientSecretHash is not null:
                throw new DomainException("public_client", "A public app has no client secret.");
            case ClientTypes.Confidential or ClientTypes.Public:
                break;
            default:
                throw new DomainException("invalid_client_type", "client_type is public or confidential.");
        }
        return new AppRegistered(c.AppId, c.OwnerTenantId, c.ClientId, name, c.Description?.Trim() ?? "", Optional(c.HomepageUrl), Optional(c.LogoUrl),
            Distinct(c.ScreenshotUrls), Distinct(c.RedirectUris), Distinct(c.Scopes), c.ClientType, c.ClientSecretHash,
            c.AllowedTenantIds.Distinct().ToList(), c.Now, category);
    }

    private static IReadOnlyList<IAppEvent> Update(UpdateApp c, AppState state)
    {
        var events = new List<IAppEvent>();
        var name = c.Name?.Trim() ?? state.Name;
        if (name.Length == 0) throw new DomainException("invalid_name", "An app has a name.");
        var description = c.Description?.Trim() ?? state.Description;
        var homepage = c.HomepageUrl is null ? state.HomepageUrl : Optional(c.HomepageUrl);
        var logo = c.LogoUrl is null ? state.LogoUrl : Optional(c.LogoUrl);
        var screenshots = c.ScreenshotUrls is null ? state.ScreenshotUrls : Distinct(c.ScreenshotUrls);
        var category = Category(c.Category) ?? state.Category;
        if (name != state.Name || description != state.Description || homepage != state.HomepageUrl || logo != state.LogoUrl
            || !screenshots.SequenceEqual(state.ScreenshotUrls, StringComparer.Ordinal) || category != state.Category)
            events.Add(new AppListingUpdated(state.AppId, state.OwnerTenantId, name, description, homepage, logo, screenshots, c.Now, category));
        if (c.RedirectUris is not null)
        {
            if (c.RedirectUris.Count == 0) throw new DomainException("invalid_redirect_uris", "An app has at least one redirect URI.");
            var redirects = Distinct(c.RedirectUris);
            if (!redirects.SequenceEqual(state.RedirectUris, StringComparer.Ordinal))
                events.Add(new AppRedirectUrisChanged(state.AppId, state.OwnerTenantId, redirects, c.Now));
        }
        return events;
    }

    private static string? Category(string? category) => category is null || AppCategories.IsKnown(category)
        ? category
        : throw new DomainException("invalid_category", $"category is one of {string.Join(", ", AppCategories.All)}.");

    /// <summary>An empty URL is no URL, so a merge patch can remove it.</summary>
    private static string? Optional(string? url) => string.IsNullOrEmpty(url) ? null : url;

    /// <summary>In the given order, each once: the order is what the marketplace shows.</summary>
    private static IReadOnlyList<string> Distinct(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).ToList();
}
