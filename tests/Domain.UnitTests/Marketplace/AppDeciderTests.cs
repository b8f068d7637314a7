using Integrations.Domain.Common;
using Integrations.Domain.Marketplace;
using Shouldly;

namespace Integrations.Domain.UnitTests.Marketplace;

public class AppDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid AppId = Guid.Parse("0193f0a0-0000-7000-8000-0000000000b1");
    private static readonly Guid Owner = Guid.Parse("0193f0a0-0000-7000-8000-000000000001");
    private static readonly Guid Customer = Guid.Parse("0193f0a0-0000-7000-8000-000000000002");

    private static RegisterApp Register(string clientType = ClientTypes.Confidential, string? secretHash = "sha256-of-secret") =>
        new(AppId, Owner, "app_abc", " Invoice Sync ", " Copies invoices. ", "https://sync.example", null,
            ["https://sync.example/s1.png", "https://sync.example/s1.png", "https://sync.example/s2.png"],
            ["https://sync.example/cb", "https://sync.example/cb"], ["events:read", "tenant:read"], clientType, secretHash, [Customer, Customer], Now);

    private static AppState Given(params IAppEvent[] events) => AppDecider.Decider.Fold(events);

    private static AppState Registered(string clientType = ClientTypes.Confidential, string? secretHash = "sha256-of-secret") =>
        Given([.. AppDecider.Decide(Register(clientType, secretHash), AppState.None)]);

    private static AppState Apply(AppState state, AppCommand command) => AppDecider.Decide(command, state).Aggregate(state, AppDecider.Evolve);

    [Fact]
    public void Registering_records_a_private_unreviewed_app_with_only_the_secrets_hash()
    {
        var events = AppDecider.Decide(Register(), AppState.None);

        var registered = events.ShouldHaveSingleItem().ShouldBeOfType<AppRegistered>();
        registered.ShouldBe(new AppRegistered(AppId, Owner, "app_abc", "Invoice Sync", "Copies invoices.", "https://sync.example", null,
            registered.ScreenshotUrls, registered.RedirectUris, registered.Scopes, ClientTypes.Confidential, "sha256-of-secret", registered.AllowedTenantIds, Now, AppCategories.Other));
        registered.ScreenshotUrls.ShouldBe(["https://sync.example/s1.png", "https://sync.example/s2.png"], "each once, in the order given");
        registered.RedirectUris.ShouldBe(["https://sync.example/cb"]);
        registered.AllowedTenantIds.ShouldBe([Customer]);
        var state = Given([.. events]);
        state.Visibility.ShouldBe(AppVisibilities.Private);
        state.ReviewStatus.ShouldBe(AppReviewStatuses.None);
        state.InMarketplace.ShouldBeFalse();
        state.IsConfidential.ShouldBeTrue();
    }

    [Theory]
    [InlineData(ClientTypes.Confidential, null, "client_secret_required")]
    [InlineData(ClientTypes.Public, "sha256-of-secret", "public_client")]
    [InlineData("spa", null, "invalid_client_type")]
    public void A_confidential_app_has_a_secret_and_a_public_one_none(string clientType, string? secretHash, string code)
    {
        Should.Throw<DomainException>(() => AppDecider.Decide(Register(clientType, secretHash), AppState.None)).Code.ShouldBe(code);
    }

    [Fact]
    public void An_app_has_a_name_a_redirect_uri_and_a_scope_and_is_registered_once()
    {
        Should.Throw<DomainException>(() => AppDecider.Decide(Register() with { Name = "  " }, AppState.None)).Code.ShouldBe("invalid_name");
        Should.Throw<DomainException>(() => AppDecider.Decide(Register() with { RedirectUris = [] }, AppState.None)).Code.ShouldBe("invalid_redirect_uris");
        Should.Throw<DomainException>(() => AppDecider.Decide(Register() with { Scopes = [] }, AppState.None)).Code.ShouldBe("invalid_scopes");
        Should.Throw<DomainException>(() => AppDecider.Decide(Register(), Registered())).Code.ShouldBe("app_exists");
        Should.Throw<DomainException>(() => AppDecider.Decide(new SubmitApp(Now), AppState.None)).Code.ShouldBe("app_not_found");
    }

    [Fact]
    public void An_update_is_a_merge_patch_split_into_listing_and_redirect_uris_and_an_unchanged_patch_emits_nothing()
    {
        var state = Registered();
        AppDecider.Decide(new UpdateApp(null, null, null, null, null, null, Now), state).ShouldBeEmpty();
        AppDecider.Decide(new UpdateApp("Invoice Sync", "Copies invoices.", "https://sync.example", null,
            ["https://sync.example/s1.png", "https://sync.example/s2.png"], ["https://sync.example/cb"], Now), state).ShouldBeEmpty();

        var listing = AppDecider.Decide(new UpdateApp(" Renamed ", null, "", null, [], null, Now), state)
            .ShouldHaveSingleItem().ShouldBeOfType<AppListingUpdated>();
        listing.ShouldBe(new AppListingUpdated(AppId, Owner, "Renamed", "Copies invoices.", null, null, listing.ScreenshotUrls, Now, AppCategories.Other),
            "an empty homepage removes it");
        listing.ScreenshotUrls.ShouldBeEmpty("an empty list removes the screenshots");

        var redirects = AppDecider.Decide(new UpdateApp(null, null, null, null, null, ["https://sync.example/cb2", "https://sync.example/cb2"], Now), state)
            .ShouldHaveSingleItem().ShouldBeOfType<AppRedirectUrisChanged>();
        redirects.ShouldBe(new AppRedirectUrisChanged(AppId, Owner, redirects.RedirectUris, Now));
        redirects.RedirectUris.ShouldBe(["https://sync.example/cb2"]);

        var both = Apply(state, new UpdateApp(null, "New text", null, "https://sync.example/logo.png", null, ["https://sync.example/cb3"], Now));
        both.Description.ShouldBe("New text");
        both.LogoUrl.ShouldBe("https://sync.example/logo.png");
        both.HomepageUrl.ShouldBe("https://sync.example");
        both.RedirectUris.ShouldBe(["https://sync.example/cb3"]);
        both.Scopes.ShouldBe(["events:read", "tenant:read"], "scopes never change with a patch");

        Should.Throw<DomainException>(() => AppDecider.Decide(new UpdateApp(null, null, null, null, null, [], Now), state)).Code.ShouldBe("invalid_redirect_uris");
        Should.Throw<DomainException>(() => AppDecider.Decide(new UpdateApp(" ", null, null, null, null, null, Now), state)).Code.ShouldBe("invalid_name");
    }

    [Fact]
    public void Rotating_replaces_the_secrets_hash_and_a_public_app_has_none_to_rotate()
    {
        Apply(Registered(), new RotateAppSecret("sha256-of-new-secret", Now)).ClientSecretHash.ShouldBe("sha256-of-new-secret");

        Should.Throw<DomainException>(() => AppDecider.Decide(new RotateAppSecret("h", Now), Registered(ClientTypes.Public, null))).Code.ShouldBe("public_client");
    }

    [Fact]
    public void A_submitted_app_is_approved_into_the_marketplace_and_cannot_be_submitted_again()
    {
        var submitted = Apply(Registered(), new SubmitApp(Now));
        submitted.ReviewStatus.ShouldBe(AppReviewStatuses.Pending);
        submitted.Visibility.ShouldBe(AppVisibilities.Private);
        Should.Throw<DomainException>(() => AppDecider.Decide(new SubmitApp(Now), submitted)).Code.ShouldBe("review_in_progress");

        var approved = Apply(submitted, new ApproveApp(Now));
        approved.InMarketplace.ShouldBeTrue();
        Should.Throw<DomainException>(() => AppDecider.Decide(new SubmitApp(Now), approved)).Code.ShouldBe("review_in_progress");
        Should.Throw<DomainException>(() => AppDecider.Decide(new ApproveApp(Now), approved)).Code.ShouldBe("not_pending");
        Should.Throw<DomainException>(() => AppDecider.Decide(new RejectApp("late", Now), approved)).Code.ShouldBe("not_pending");
    }

    [Fact]
    public void A_rejected_app_keeps_the_reason_until_it_is_submitted_again()
    {
        Should.Throw<DomainException>(() => AppDecider.Decide(new ApproveApp(Now), Registered())).Code.ShouldBe("not_pending");
        var submitted = Apply(Registered(), new SubmitApp(Now));
        Should.Throw<DomainException>(() => AppDecider.Decide(new RejectApp(" ", Now), submitted)).Code.ShouldBe("reason_required");

        var rejected = Apply(submitted, new RejectApp("Add a privacy policy.", Now));
        rejected.ReviewStatus.ShouldBe(AppReviewStatuses.Rejected);
        rejected.ReviewReason.ShouldBe("Add a privacy policy.");
        rejected.Visibility.ShouldBe(AppVisibilities.Private);

        var again = Apply(rejected, new SubmitApp(Now));
        again.ReviewStatus.ShouldBe(AppReviewStatuses.Pending);
        again.ReviewReason.ShouldBeNull();
    }

    [Fact]
    public void An_imported_app_is_the_row_it_was_imported_from_and_takes_commands()
    {
        var imported = new AppImported(AppId, Owner, "app_abc", "Legacy", "CSV", null, null, [], ["https://x.example/cb"], ["events:read"],
            ClientTypes.Confidential, "sha256-of-secret", AppVisibilities.Private, [], AppReviewStatuses.Rejected, "Why members:read?", Now);

        var state = Given(imported);
        state.ReviewReason.ShouldBe("Why members:read?");
        state.ClientSecretHash.ShouldBe("sha256-of-secret");
        Apply(state, new SubmitApp(Now)).ReviewStatus.ShouldBe(AppReviewStatuses.Pending);
    }

    [Fact]
    public void Replaying_a_stream_rebuilds_the_same_state_as_deciding_step_by_step()
    {
        var state = AppState.None;
        var log = new List<IAppEvent>();
        foreach (var command in new AppCommand[]
                 {
                     Register(), new UpdateApp("Renamed", null, null, null, null, ["https://sync.example/other"], Now), new RotateAppSecret("h2", Now),
                     new SubmitApp(Now), new RejectApp("No.", Now), new SubmitApp(Now), new ApproveApp(Now),
                 })
        {
            var events = AppDecider.Decide(command, state);
            log.AddRange(events);
            state = events.Aggregate(state, AppDecider.Evolve);
        }

        var replayed = Given([.. log]);
        replayed.ShouldBeEquivalentTo(state);
        replayed.InMarketplace.ShouldBeTrue();
        AppDecider.StreamId(AppId).ShouldBe("app-0193f0a00000700080000000000000b1");
    }
    [Fact]
    public void An_app_is_in_one_known_category_other_unless_chosen_and_a_patch_can_move_it()
    {
        Registered().Category.ShouldBe(AppCategories.Other, "registered without one");
        var crm = Given([.. AppDecider.Decide(Register() with { Category = "crm" }, AppState.None)]);
        crm.Category.ShouldBe("crm");
        Should.Throw<DomainException>(() => AppDecider.Decide(Register() with { Category = "games" }, AppState.None)).Code.ShouldBe("invalid_category");

        var moved = AppDecider.Decide(new UpdateApp(null, null, null, null, null, null, Now, "accounting"), crm);
        moved.OfType<AppListingUpdated>().Single().Category.ShouldBe("accounting");
        Apply(crm, new UpdateApp(null, null, null, null, null, null, Now, "accounting")).Category.ShouldBe("accounting");
        AppDecider.Decide(new UpdateApp(null, null, null, null, null, null, Now, "crm"), crm).ShouldBeEmpty("the same category is no change");
        AppDecider.Decide(new UpdateApp("Renamed", null, null, null, null, null, Now), crm).OfType<AppListingUpdated>().Single().Category
            .ShouldBe("crm", "a patch without a category keeps it");
        Should.Throw<DomainException>(() => AppDecider.Decide(new UpdateApp(null, null, null, null, null, null, Now, "games"), crm)).Code.ShouldBe("invalid_category");
    }

    [Fact]
    public void A_listing_update_written_before_categories_keeps_the_apps_category()
    {
        var crm = Given([.. AppDecider.Decide(Register() with { Category = "crm" }, AppState.None)]);
        var old = new AppListingUpdated(AppId, Owner, "Old", "", null, null, [], Now);
        AppDecider.Evolve(crm, old).Category.ShouldBe("crm");
    }
}
