using Integrations.Application.Common.Interfaces;
using Integrations.Application.ApiKeys.Queries.ListApiKeys;
using Integrations.Application.Common.Listing;
using Integrations.Application.Events.Queries.ListEvents;
using Integrations.Application.WebhookDeliveries.Queries.ListWebhookDeliveries;
using Integrations.Application.WebhookEndpoints.Queries.ListWebhookEndpoints;
using Integrations.Domain.Events;
using Integrations.Domain.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// Every read model, asked in one tenant's name, returns nothing of another tenant: not by id, not
/// in a list, not from the event store (issue 17). Both tenants have the same kinds of data.
/// </summary>
[Collection(DeliveryCollection.Name)]
public class ReadModelIsolationTests(DeliveryFixture fixture)
{
    private static ListQuery FirstPage(ListSpec spec) => ListQuery.Default(spec, 100);

    [Fact]
    public async Task No_read_model_returns_another_tenants_rows()
    {
        var a = await Seed();
        var b = await Seed();

        await using var scope = fixture.System.Api.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        foreach (var (mine, theirs) in new[] { (a, b), (b, a) })
        {
            var tenant = mine.Endpoint.Tenant.TenantId;

            var keys = await services.GetRequiredService<IApiKeyReadModel>().ListAsync(tenant, FirstPage(ListApiKeysQuery.Spec), CancellationToken.None);
            keys.Data.ShouldNotBeEmpty();
            keys.Data.ShouldAllBe(k => k.TenantId == tenant);

            var events = services.GetRequiredService<IEventReadModel>();
            (await events.ListAsync(tenant, FirstPage(ListEventsQuery.Spec), CancellationToken.None)).Data.Select(e => e.Id).ShouldBe([mine.EventId]);
            (await events.FindAsync(tenant, theirs.EventId, CancellationToken.None)).ShouldBeNull();

            var endpoints = services.GetRequiredService<IWebhookEndpointReadModel>();
            (await endpoints.ListAsync(tenant, FirstPage(ListWebhookEndpointsQuery.Spec), CancellationToken.None)).Data.Select(e => e.Id).ShouldBe([mine.Endpoint.Id]);
            (await endpoints.FindAsync(tenant, theirs.Endpoint.Id, CancellationToken.None)).ShouldBeNull();
            (await endpoints.FindTargetAsync(tenant, theirs.Endpoint.Id, CancellationToken.None)).ShouldBeNull();
            (await endpoints.ListSubscribedAsync(tenant, "invoice.paid", CancellationToken.None)).Select(e => e.Id).ShouldBe([mine.Endpoint.Id]);

            var deliveries = services.GetRequiredService<IWebhookDeliveryReadModel>();
            (await deliveries.ListAsync(tenant, null, FirstPage(ListWebhookDeliveriesQuery.Spec), CancellationToken.None)).Data.Select(d => d.Id).ShouldBe([mine.DeliveryId]);
            (await deliveries.ListAsync(tenant, theirs.Endpoint.Id, FirstPage(ListWebhookDeliveriesQuery.Spec), CancellationToken.None)).Data.ShouldBeEmpty();
            (await deliveries.FindAsync(tenant, theirs.DeliveryId, CancellationToken.None)).ShouldBeNull();

            var health = services.GetRequiredService<IWebhookEndpointHealthReadModel>();
            (await health.FindAsync(tenant, mine.Endpoint.Id, CancellationToken.None)).ShouldNotBeNull();
            (await health.FindAsync(tenant, theirs.Endpoint.Id, CancellationToken.None)).ShouldBeNull();

            var store = services.GetRequiredService<IEventStore>();
            var theirStreams = new[] { IngestedEventDecider.StreamId(theirs.EventId), WebhookEndpointDecider.StreamId(theirs.Endpoint.Id),
                WebhookDeliveryDecider.StreamId(theirs.DeliveryId) };
            var read = await store.ReadStreamsAsync(theirStreams.Select(s => new StreamKey(s, tenant)).ToList(), CancellationToken.None);
            read.Values.ShouldAllBe(events => events.Count == 0, "another tenant's streams do not exist under this tenant");
            var own = await store.ReadStreamsAsync([new StreamKey(IngestedEventDecider.StreamId(mine.EventId), tenant)], CancellationToken.None);
            own.Single().Value.ShouldNotBeEmpty();
        }
    }

    private sealed record Seeded(CreatedEndpoint Endpoint, Guid EventId, Guid DeliveryId);

    private async Task<Seeded> Seed()
    {
        var endpoint = await fixture.System.CreateEndpointAsync(fixture.Sink, ["invoice.paid"]);
        var eventId = await endpoint.Tenant.Client.PublishAsync();
        var deliveryId = WebhookDeliveryDecider.DeliveryId(eventId, endpoint.Id);
        await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", TimeSpan.FromSeconds(30), "delivered");
        return new Seeded(endpoint, eventId, deliveryId);
    }
}
