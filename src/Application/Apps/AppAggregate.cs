using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;

namespace Integrations.Application.Apps;

/// <summary>
/// Runs commands against an app's stream, which belongs to its owner's tenant: a developer names
/// the app under its own organisation, so another organisation's app is "not found" (never
/// "forbidden"); the platform operator names the app alone and its owner is read from the catalogue.
/// </summary>
public sealed class AppAggregate(AggregateStore aggregates, IAppCatalogue catalogue)
{
    public async Task<Loaded<AppState>> LoadOwnedAsync(Guid ownerTenantId, Guid appId, CancellationToken ct)
    {
        var loaded = await aggregates.LoadAsync(AppDecider.Decider, AppDecider.StreamId(appId), ownerTenantId, ct);
        return loaded.State.Exists ? loaded : throw AppLookup.NotFound();
    }

    /// <summary>Any organisation's app, for the platform operator.</summary>
    public async Task<Loaded<AppState>> LoadAsync(Guid appId, CancellationToken ct)
    {
        var listing = await catalogue.FindAsync(appId, ct) ?? throw AppLookup.NotFound();
        return await LoadOwnedAsync(listing.App.OwnerTenantId, appId, ct);
    }

    public async Task<AppState> StartAsync(RegisterApp command, CancellationToken ct) =>
        (await aggregates.StartAsync(AppDecider.Decider, AppDecider.StreamId(command.AppId), command, command.OwnerTenantId, ct)).State;

    /// <summary>Decides <paramref name="command"/> against the app as loaded in this unit of work and appends what it emits.</summary>
    public async Task<AppState> HandleAsync(Loaded<AppState> loaded, AppCommand command, CancellationToken ct)
    {
        var streamId = AppDecider.StreamId(loaded.State.AppId);
        var decided = await aggregates.HandleAsync(AppDecider.Decider,
            [new StreamCommands<AppCommand>(streamId, loaded.State.OwnerTenantId, [command])], ct,
            new Dictionary<string, Loaded<AppState>> { [streamId] = loaded });
        return decided[0].State;
    }

    /// <summary>The app as the API shows it (the same fields the oauth_apps projection holds).</summary>
    public static AppListing Listing(AppState s) =>
        new(new AppRow(s.AppId, s.ClientId, s.OwnerTenantId, s.Name, s.Description, s.HomepageUrl, s.LogoUrl, [.. s.RedirectUris], [.. s.Scopes],
            s.ClientType, s.ClientSecretHash, s.Visibility, [.. s.AllowedTenantIds], s.ReviewStatus, s.ReviewReason, s.CreatedAt, s.Category), [.. s.ScreenshotUrls]);
}
