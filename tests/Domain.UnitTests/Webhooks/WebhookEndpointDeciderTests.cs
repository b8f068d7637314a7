using Integrations.Domain.Common;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class WebhookEndpointDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid EndpointId = Guid.NewGuid();
    private static readonly Guid TenantId = Guid.NewGuid();
    private static readonly Guid FirstSecret = Guid.NewGuid();

    private static CreateWebhookEndpoint Create(IReadOnlyList<string>? types = null, int rate = 100, string? description = "Billing") =>
        new(EndpointId, TenantId, "https://hooks.example.com/a", types ?? ["invoice.paid"], description, rate, FirstSecret, "v1.k.protected-1", Now);

    private static WebhookEndpointState Given(params IWebhookEndpointEvent[] events) => WebhookEndpointDecider.Decider.Fold(events);

    private static WebhookEndpointState Created() => Given(WebhookEndpointDecider.Decide(Create(), WebhookEndpointState.None).ToArray());

    private static WebhookEndpointState Apply(WebhookEndpointState state, WebhookEndpointCommand command) =>
        WebhookEndpointDecider.Decide(command, state).Aggregate(state, WebhookEndpointDecider.Evolve);

    [Fact]
    public void Creating_records_the_endpoint_enabled_with_its_protected_secret()
    {
        var events = WebhookEndpointDecider.Decide(Create(["invoice.paid", "invoice.failed", "invoice.paid"]), WebhookEndpointState.None);

        var created = events.ShouldHaveSingleItem().ShouldBeOfType<WebhookEndpointCreated>();
        created.EventTypes.ShouldBe(["invoice.failed", "invoice.paid"], "types are stored distinct and sorted");
        created.ShouldBe(new WebhookEndpointCreated(EndpointId, TenantId, "https://hooks.example.com/a", created.EventTypes,
            "Billing", 100, FirstSecret, "v1.k.protected-1", Now, EndpointKinds.Endpoint));
        var state = Given(events.ToArray());
        state.Status.ShouldBe(EndpointStatus.Enabled);
        state.Secrets.ShouldBe([new EndpointSecret(FirstSecret, "v1.k.protected-1", null)]);
    }

    [Fact]
    public void A_wildcard_subscribes_to_everything_and_stands_alone()
    {
        var state = Given(WebhookEndpointDecider.Decide(Create(["invoice.paid", "*"]), WebhookEndpointState.None).ToArray());
        state.EventTypes.ShouldBe(["*"]);
        state.Subscribes("user.joined").ShouldBeTrue();
        state.Subscribes("webhook_endpoint.disabled").ShouldBeTrue();
    }

    [Theory]
    [InlineData(new string[0], "invalid_event_types")]
    [InlineData(new[] { "invoice.refunded" }, "unknown_event_type")]
    public void Subscriptions_must_be_known_types(string[] types, string code)
    {
        Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(Create(types), WebhookEndpointState.None)).Code.ShouldBe(code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60_001)]
    public void The_rate_limit_has_bounds(int rate)
    {
        Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(Create(rate: rate), WebhookEndpointState.None)).Code.ShouldBe("invalid_rate_limit");
    }

    [Fact]
    public void An_empty_description_is_no_description()
    {
        ((WebhookEndpointCreated)WebhookEndpointDecider.Decide(Create(description: ""), WebhookEndpointState.None)[0]).Description.ShouldBeNull();
    }

    [Fact]
    public void Creating_twice_is_refused()
    {
        Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(Create(), Created())).Code.ShouldBe("webhook_endpoint_exists");
    }

    [Fact]
    public void An_update_is_a_merge_patch_and_an_unchanged_patch_emits_nothing()
    {
        var state = Created();

        WebhookEndpointDecider.Decide(new UpdateWebhookEndpoint(null, null, null, null, Now), state).ShouldBeEmpty();
        WebhookEndpointDecider.Decide(new UpdateWebhookEndpoint("https://hooks.example.com/a", ["invoice.paid"], "Billing", 100, Now), state).ShouldBeEmpty();

        var updated = Apply(state, new UpdateWebhookEndpoint("https://hooks.example.com/b", null, null, 250, Now));
        updated.Url.ShouldBe("https://hooks.example.com/b");
        updated.EventTypes.ShouldBe(["invoice.paid"]);
        updated.Description.ShouldBe("Billing");
        updated.RateLimitPerMinute.ShouldBe(250);

        Apply(updated, new UpdateWebhookEndpoint(null, null, "", null, Now)).Description.ShouldBeNull("an empty description removes it");
    }

    [Fact]
    public void Disabling_and_enabling_are_idempotent_and_keep_the_reason()
    {
        var state = Created();

        var disabled = WebhookEndpointDecider.Decide(new DisableWebhookEndpoint(DisabledReasons.Gone, "410 Gone", Now), state);
        disabled.ShouldBe([new WebhookEndpointDisabled(EndpointId, TenantId, DisabledReasons.Gone, "410 Gone", Now)]);
        state = Given([.. WebhookEndpointDecider.Decide(Create(), WebhookEndpointState.None), .. disabled]);
        state.Status.ShouldBe(EndpointStatus.Disabled);
        state.DisabledReason.ShouldBe(DisabledReasons.Gone);

        WebhookEndpointDecider.Decide(new DisableWebhookEndpoint(DisabledReasons.Manual, "again", Now), state).ShouldBeEmpty();
        var enabled = Apply(state, new EnableWebhookEndpoint(Now));
        enabled.Status.ShouldBe(EndpointStatus.Enabled);
        enabled.DisabledReason.ShouldBeNull();
        WebhookEndpointDecider.Decide(new EnableWebhookEndpoint(Now), enabled).ShouldBeEmpty();
    }

    [Fact]
    public void A_rotation_keeps_the_previous_secret_signing_until_the_overlap_ends()
    {
        var second = Guid.NewGuid();
        var rotated = Apply(Created(), new RotateWebhookSecret(second, "v1.k.protected-2", TimeSpan.FromHours(24), Now));

        rotated.Secrets.ShouldBe([
            new EndpointSecret(second, "v1.k.protected-2", null),
            new EndpointSecret(FirstSecret, "v1.k.protected-1", Now.AddHours(24)),
        ]);
        rotated.SigningSecrets(Now.AddHours(23)).Select(s => s.SecretId).ShouldBe([second, FirstSecret]);
        rotated.SigningSecrets(Now.AddHours(24)).Select(s => s.SecretId).ShouldBe([second]);
        WebhookEndpointDecider.Current(rotated).SecretId.ShouldBe(second);
    }

    [Fact]
    public void A_second_rotation_keeps_only_the_secret_it_replaces()
    {
        var second = Guid.NewGuid();
        var third = Guid.NewGuid();
        var state = Apply(Created(), new RotateWebhookSecret(second, "p2", TimeSpan.FromHours(24), Now));
        state = Apply(state, new RotateWebhookSecret(third, "p3", TimeSpan.FromHours(24), Now.AddHours(1)));

        state.Secrets.Select(s => s.SecretId).ShouldBe([third, second, FirstSecret]);
        state.SigningSecrets(Now.AddHours(1)).Select(s => s.SecretId).ShouldBe([third, second, FirstSecret],
            "the first secret is still inside the overlap of the first rotation");

        state = Apply(state, new RotateWebhookSecret(Guid.NewGuid(), "p4", TimeSpan.FromHours(24), Now.AddHours(30)));
        state.Secrets.ShouldNotContain(s => s.SecretId == FirstSecret || s.SecretId == second, "expired secrets are dropped");
    }

    [Fact]
    public void A_deleted_endpoint_is_gone_for_every_command()
    {
        var deleted = Apply(Created(), new DeleteWebhookEndpoint(Now));
        deleted.Status.ShouldBe(EndpointStatus.Deleted);

        foreach (WebhookEndpointCommand command in new WebhookEndpointCommand[]
                 {
                     new UpdateWebhookEndpoint("https://x.example.com", null, null, null, Now), new EnableWebhookEndpoint(Now),
                     new DisableWebhookEndpoint(DisabledReasons.Manual, "m", Now), new RotateWebhookSecret(Guid.NewGuid(), "p", TimeSpan.Zero, Now),
                     new DeleteWebhookEndpoint(Now),
                 })
            Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(command, deleted)).Code.ShouldBe("webhook_endpoint_not_found");
    }

    [Fact]
    public void The_stream_id_names_the_endpoint()
    {
        WebhookEndpointDecider.StreamId(EndpointId).ShouldBe($"webhook_endpoint-{EndpointId:N}");
    }
}
