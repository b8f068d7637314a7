using System.Text.Json;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

/// <summary>REST hooks (ADR 0022): webhook endpoints of kind hook, with a filter evaluated at fan-out.</summary>
public class HookDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);
    private static readonly Guid HookId = Guid.NewGuid();
    private static readonly Guid TenantId = Guid.NewGuid();

    /// <summary>The "entity status changed" trigger: entity.updated whose changed_fields holds status.</summary>
    private static readonly RouteCondition StatusChanged = new("data.changed_fields", "contains", "\"status\"");

    private static CreateWebhookEndpoint Create(string kind, IReadOnlyList<RouteCondition>? filter) =>
        new(HookId, TenantId, "https://hooks.zapier.example/h/1", ["entity.updated"], null, 100, Guid.NewGuid(), "v1.k.protected", Now, kind, filter);

    private static bool Passes(RouteFilter filter, string data) =>
        filter.Matches(new TemplateEvent(Guid.NewGuid(), "entity.updated", TenantId, Now), JsonDocument.Parse(data).RootElement);

    [Fact]
    public void A_hook_records_its_kind_and_filter_and_its_state_is_a_hook()
    {
        var created = WebhookEndpointDecider.Decide(Create(EndpointKinds.Hook, [StatusChanged]), WebhookEndpointState.None)
            .ShouldHaveSingleItem().ShouldBeOfType<WebhookEndpointCreated>();

        created.Kind.ShouldBe(EndpointKinds.Hook);
        created.Filter.ShouldBe([StatusChanged]);
        var state = WebhookEndpointDecider.Decider.Fold([created]);
        state.IsHook.ShouldBeTrue();
        state.Filter.ShouldBe([StatusChanged]);
        state.Status.ShouldBe(EndpointStatus.Enabled);
    }

    [Fact]
    public void An_endpoint_created_before_hooks_existed_is_an_endpoint_without_a_filter()
    {
        var old = new WebhookEndpointCreated(HookId, TenantId, "https://hooks.example.com/a", ["*"], null, 100, Guid.NewGuid(), "v1.k.p", Now);

        var state = WebhookEndpointDecider.Decider.Fold([old]);

        state.Kind.ShouldBe(EndpointKinds.Endpoint);
        state.IsHook.ShouldBeFalse();
        state.Filter.ShouldBeEmpty();
    }

    [Fact]
    public void A_hook_without_conditions_records_no_filter()
    {
        var created = (WebhookEndpointCreated)WebhookEndpointDecider.Decide(Create(EndpointKinds.Hook, []), WebhookEndpointState.None).Single();

        created.Filter.ShouldBeNull();
        WebhookEndpointDecider.Decider.Fold([created]).Filter.ShouldBeEmpty();
    }

    [Fact]
    public void Only_hooks_take_a_filter()
    {
        Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(Create(EndpointKinds.Endpoint, [StatusChanged]), WebhookEndpointState.None))
            .Code.ShouldBe("invalid_filter");
    }

    [Theory]
    [InlineData("data.changed_fields", "includes", "\"status\"", "is not one of")]
    [InlineData("changed_fields", "contains", "\"status\"", "filter[0].path")]
    [InlineData("data.changed_fields", "in", "\"status\"", "must be an array")]
    [InlineData("data.changed_fields", "contains", "status", "is not JSON")]
    public void A_hook_with_an_invalid_condition_is_refused_naming_it(string path, string op, string value, string says)
    {
        var refused = Should.Throw<DomainException>(() =>
            WebhookEndpointDecider.Decide(Create(EndpointKinds.Hook, [new RouteCondition(path, op, value)]), WebhookEndpointState.None));

        refused.Code.ShouldBe("invalid_filter");
        refused.Message.ShouldContain(says);
    }

    [Fact]
    public void An_unknown_kind_is_refused()
    {
        Should.Throw<DomainException>(() => WebhookEndpointDecider.Decide(Create("zap", null), WebhookEndpointState.None)).Code.ShouldBe("invalid_kind");
    }

    [Fact]
    public void The_status_changed_filter_passes_an_update_of_the_status_and_no_other()
    {
        var filter = RouteFilter.Parse([StatusChanged]);

        Passes(filter, EventTypeCatalog.Find("entity.updated")!.Sample).ShouldBeTrue("the catalog sample changes the status");
        Passes(filter, """{"entity_id": "e1", "changed_fields": ["name", "status"]}""").ShouldBeTrue();
        Passes(filter, """{"entity_id": "e1", "changed_fields": ["name"]}""").ShouldBeFalse();
        Passes(filter, """{"entity_id": "e1", "changed_fields": ["status_reason"]}""").ShouldBeFalse("an element equals status, not contains it");
        Passes(filter, """{"entity_id": "e1"}""").ShouldBeFalse("no changed_fields, no match");
    }

    [Fact]
    public void Conditions_with_equality_narrow_a_hook_to_one_entity_type()
    {
        var filter = RouteFilter.Parse([StatusChanged, new RouteCondition("data.entity_type", "eq", "\"project\"")]);

        Passes(filter, """{"entity_id": "e1", "entity_type": "project", "changed_fields": ["status"]}""").ShouldBeTrue();
        Passes(filter, """{"entity_id": "e1", "entity_type": "invoice", "changed_fields": ["status"]}""").ShouldBeFalse();
    }
}
