using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Messaging;
using Integrations.Infrastructure.Webhooks.Delivery;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Integrations.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>The API, a webhook sink and no Workers host: each test starts the hosts it needs, with the pipelines it names.</summary>
public sealed class PipelinesFixture() : DeliveryFixture(new NoWorkersSystem())
{
    private sealed class NoWorkersSystem : DeliverySystem
    {
        protected override bool StartWorkers => false;
    }
}

/// <summary>Workers:Pipelines: a Workers process runs the pipelines it is given and nothing else.</summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerPipelinesTests(PipelinesFixture fixture) : IClassFixture<PipelinesFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    private static Dictionary<string, string?> Pipelines(string value) => new() { [WorkerPipelines.ConfigurationKey] = value };

    [Fact]
    public async Task Dispatch_and_relay_without_delivery_dispatch_events_but_send_no_webhook_until_a_delivery_host_runs()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var dispatching = await _system.StartExtraWorkersAsync(Pipelines($"{WorkerPipelines.EventsDispatch}, {WorkerPipelines.OutboxRelay}"));
        try
        {
            dispatching.Services.GetRequiredService<RunningPipelines>().Names.ShouldBe([WorkerPipelines.OutboxRelay, WorkerPipelines.EventsDispatch]);
            HostedServices(dispatching).OfType<WebhookDispatcher>().ShouldBeEmpty();

            var eventId = await endpoint.Tenant.Client.PublishAsync();
            var deliveryId = WebhookDeliveryDecider.DeliveryId(eventId, endpoint.Id);
            await Eventually.HoldsAsync(async () => await _system.ScalarAsync<long>("select count(*) from events where id = @id and status = 'dispatched'", ("id", eventId)) == 1,
                TimeSpan.FromSeconds(30), "the event is relayed to Kafka and dispatched");
            (await endpoint.Tenant.Client.GetDeliveryAsync(deliveryId)).Status().ShouldBe("pending", "the dispatch created the delivery");

            await Task.Delay(Quiet);
            _sink.Received(endpoint.Path).ShouldBeEmpty("no host runs webhook-delivery");
            (await endpoint.Tenant.Client.GetDeliveryAsync(deliveryId)).Attempts().ShouldBeEmpty();

            var delivering = await _system.StartExtraWorkersAsync(Pipelines(WorkerPipelines.WebhookDelivery));
            delivering.Services.GetRequiredService<RunningPipelines>().Names.ShouldBe([WorkerPipelines.WebhookDelivery]);
            (await _sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(30))).ShouldHaveSingleItem().WebhookId.ShouldBe(deliveryId.ToString());
            await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", TimeSpan.FromSeconds(30), "the delivery host sent and recorded it");
            await _system.StopExtraWorkersAsync(delivering);
        }
        finally
        {
            await _system.StopExtraWorkersAsync(dispatching);
        }
    }

    [Fact]
    public async Task A_host_running_only_webhook_delivery_takes_nothing_from_the_outbox_or_Kafka()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var delivering = await _system.StartExtraWorkersAsync(Pipelines(WorkerPipelines.WebhookDelivery));
        try
        {
            var services = HostedServices(delivering);
            services.OfType<WebhookDispatcher>().ShouldHaveSingleItem();
            services.OfType<OutboxRelay>().ShouldBeEmpty();
            services.OfType<OutboxSweeper>().ShouldBeEmpty();
            services.OfType<KafkaBatchConsumerService<EventsTopicHandler>>().ShouldBeEmpty();

            var eventId = await endpoint.Tenant.Client.PublishAsync();
            await Task.Delay(Quiet);
            (await _system.ScalarAsync<string>("select status from events where id = @id", ("id", eventId))).ShouldBe("accepted", "nothing dispatches it");
            (await _system.ScalarAsync<long>("select count(*) from outbox where message_id = @id and published_at is null", ("id", eventId))).ShouldBe(1, "nothing relays it");
            _sink.Received(endpoint.Path).ShouldBeEmpty();

            // The other pipelines, in a process of their own, take it from there.
            var rest = await _system.StartExtraWorkersAsync(Pipelines($"{WorkerPipelines.OutboxRelay},{WorkerPipelines.EventsDispatch}"));
            (await _sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(30))).ShouldHaveSingleItem();
            await _system.StopExtraWorkersAsync(rest);
        }
        finally
        {
            await _system.StopExtraWorkersAsync(delivering);
        }
    }

    [Theory]
    [InlineData(null, new[] { "outbox-relay", "events-dispatch", "webhook-delivery", "projections", "connections", "notifications", "product-callbacks", "connectors", "inbound", "schedules", "email-smtp" })]
    [InlineData("", new[] { "outbox-relay", "events-dispatch", "webhook-delivery", "projections", "connections", "notifications", "product-callbacks", "connectors", "inbound", "schedules", "email-smtp" })]
    [InlineData("all", new[] { "outbox-relay", "events-dispatch", "webhook-delivery", "projections", "connections", "notifications", "product-callbacks", "connectors", "inbound", "schedules", "email-smtp" })]
    [InlineData("webhook-delivery, all", new[] { "outbox-relay", "events-dispatch", "webhook-delivery", "projections", "connections", "notifications", "product-callbacks", "connectors", "inbound", "schedules", "email-smtp" })]
    [InlineData(" Webhook-Delivery ,outbox-relay,,webhook-delivery", new[] { "outbox-relay", "webhook-delivery" })]
    [InlineData("events-dispatch", new[] { "events-dispatch" })]
    public void Workers_Pipelines_selects_by_comma_separated_names(string? value, string[] expected)
    {
        using var host = Build(value is null ? [] : Pipelines(value));
        host.Services.GetRequiredService<RunningPipelines>().Names.ShouldBe(expected);
        var services = HostedServices(host);
        services.OfType<OutboxRelay>().Any().ShouldBe(expected.Contains(WorkerPipelines.OutboxRelay));
        services.OfType<OutboxSweeper>().Any().ShouldBe(expected.Contains(WorkerPipelines.OutboxRelay));
        services.OfType<KafkaBatchConsumerService<EventsTopicHandler>>().Any().ShouldBe(expected.Contains(WorkerPipelines.EventsDispatch));
        services.OfType<WebhookDispatcher>().Any().ShouldBe(expected.Contains(WorkerPipelines.WebhookDelivery));
    }

    [Fact]
    public void Workers_Pipelines_may_be_an_array()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            [WorkerPipelines.ConfigurationKey + ":0"] = WorkerPipelines.WebhookDelivery,
            [WorkerPipelines.ConfigurationKey + ":1"] = WorkerPipelines.EventsDispatch,
        });
        host.Services.GetRequiredService<RunningPipelines>().Names.ShouldBe([WorkerPipelines.EventsDispatch, WorkerPipelines.WebhookDelivery]);
    }

    [Fact]
    public async Task An_unknown_pipeline_fails_start_up_naming_it_and_the_valid_ones()
    {
        var error = await Should.ThrowAsync<WorkerConfigurationException>(() => _system.StartExtraWorkersAsync(Pipelines("outbox-relay,fan-out")));
        error.Message.ShouldBe("Workers:Pipelines names a pipeline this host does not know: 'fan-out'. " +
                               "Valid pipelines: outbox-relay, events-dispatch, webhook-delivery, projections, connections, notifications, product-callbacks, connectors, inbound, schedules, email-smtp; or all (the default) for every one.");
    }

    [Fact]
    public async Task The_Workers_process_given_an_unknown_pipeline_exits_at_once_with_one_line_saying_why()
    {
        var environment = _system.Configuration().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? "");
        environment["Workers__Pipelines"] = "webhook-delivery,scheduler";
        environment["DOTNET_ENVIRONMENT"] = "Testing";
        var result = await ProcessRunner.RunAsync("dotnet", [TestEnvironment.WorkersAssembly()], environment: environment,
            timeout: TimeSpan.FromSeconds(60), throwOnError: false);

        result.ExitCode.ShouldBe(2, result.CombinedOutput);
        result.StandardError.Trim().ShouldBe("Integrations.Workers cannot start: Workers:Pipelines names a pipeline this host does not know: 'scheduler'. " +
                                             "Valid pipelines: outbox-relay, events-dispatch, webhook-delivery, projections, connections, notifications, product-callbacks, connectors, inbound, schedules, email-smtp; or all (the default) for every one.");
    }

    private IHost Build(IDictionary<string, string?> overrides)
    {
        var configuration = _system.Configuration();
        foreach (var (key, value) in overrides) configuration[key] = value;
        return WorkerHost.Build(["--environment", "Testing"], b => b.Configuration.AddInMemoryCollection(configuration));
    }

    private static List<IHostedService> HostedServices(IHost host) => [.. host.Services.GetServices<IHostedService>()];
}
